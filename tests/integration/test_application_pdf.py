"""The submitted application as a PDF: A4, every question with its answer, in Latin, Cyrillic and Uzbek."""
from __future__ import annotations

import io
import re
from datetime import UTC, datetime

import pytest
from pypdf import PdfReader

from incubator.applications.models import Answer, Application, Attachment
from incubator.applications.pdf import css_content, css_string, render_application_pdf
from incubator.applications.states import Status
from incubator.programs.models import QuestionType
from incubator.startups.models import Startup
from tests.support import factories as f

A4 = (595, 842)  # points, rounded

STAGES = [{"value": "opt_mvp", "label": {"en": "Working MVP", "ru": "Рабочий MVP", "uz": "Ishlaydigan MVP"}},
          {"value": "opt_idea", "label": {"en": "Just an idea", "ru": "Только идея", "uz": "Faqat gʻoya"}}]
NEEDS = [{"value": "need_money", "label": {"en": "Seed funding", "ru": "Посевные инвестиции", "uz": "Sarmoya"}},
         {"value": "need_mentor", "label": {"en": "A mentor", "ru": "Наставник", "uz": "Murabbiy"}}]


def _text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


def _flat(text: str) -> str:
    """Extracted text with line breaks folded into spaces (long answers wrap)."""
    return re.sub(r"\s+", " ", text)


@pytest.fixture
def submitted(app, db, founder):
    program = f.ProgramFactory(name="Yoshlar Innovatsiya Markazi")
    season = f.SeasonFactory(program=program, name="Kuzgi qabul 2026", timezone="Asia/Tashkent")
    q = {
        "pitch": f.QuestionFactory(season=season, key="pitch", type=QuestionType.SHORT_TEXT, position=1,
                                   label={"en": "One-line pitch", "ru": "Питч одной строкой",
                                          "uz": "Bir qatorli gʻoya"}),
        "problem": f.QuestionFactory(season=season, key="problem", type=QuestionType.LONG_TEXT, position=2,
                                     label={"en": "The problem", "ru": "Какую проблему вы решаете?",
                                            "uz": "Qanday muammoni hal qilasiz?"}),
        "stage": f.QuestionFactory(season=season, key="stage", type=QuestionType.CHOICE, position=3,
                                   options=STAGES, label={"en": "How far are you?", "ru": "Этап", "uz": "Bosqich"}),
        "needs": f.QuestionFactory(season=season, key="needs", type=QuestionType.MULTI_CHOICE, position=4,
                                   options=NEEDS, label={"en": "What do you need?", "ru": "Что нужно?",
                                                         "uz": "Nima kerak?"}),
        "deck": f.QuestionFactory(season=season, key="deck", type=QuestionType.FILE, position=5,
                                  label={"en": "Pitch deck", "ru": "Презентация", "uz": "Taqdimot"}),
        "website": f.QuestionFactory(season=season, key="website", type=QuestionType.URL, position=6,
                                     required=False, label={"en": "Website", "ru": "Сайт", "uz": "Veb-sayt"}),
    }
    startup = Startup(owner_id=founder.id, name="Paxta Oʻzbek AI", sector="agritech", region="andijan")
    db.session.add(startup)
    db.session.flush()
    application = Application(season_id=season.id, startup_id=startup.id, status=Status.SUBMITTED,
                              submitted_at=datetime(2026, 11, 21, 13, 5, tzinfo=UTC))
    db.session.add(application)
    db.session.flush()
    answers = {
        "pitch": "Дроны считают коробочки хлопка",
        "problem": "Fermerlar hosilni taxmin qiladi: gʻoʻza dalalarini hech kim sanamaydi.\n"
                   "Вторая строка ответа: урожай считают на глаз.",
        "stage": "opt_mvp",
        "needs": ["need_money", "need_mentor"],
    }
    for key, value in answers.items():
        db.session.add(Answer(application_id=application.id, question_id=q[key].id, value=value))
    db.session.add(Attachment(application_id=application.id, question_id=q["deck"].id, storage_key="pdf-test-deck",
                              original_name="taqdimot-Oʻzbek-2026.pdf", content_type="application/pdf",
                              extension="pdf", size=2048, sha256="1" * 64))
    db.session.commit()
    db.session.expire_all()
    return db.session.get(Application, application.id)


def test_pdf_has_every_question_and_answer(app, submitted):
    pdf = render_application_pdf(submitted, locale="uz")
    assert pdf.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(pdf))
    width, height = (round(float(v)) for v in reader.pages[0].mediabox.upper_right)
    assert (width, height) == A4
    text = _flat(_text(pdf))
    assert "Yoshlar Innovatsiya Markazi" in text and "Kuzgi qabul 2026" in text
    assert "Paxta Oʻzbek AI" in text
    # Labels in the chosen language, answers as given (Cyrillic and the Uzbek ʻ intact).
    for label in ("Bir qatorli gʻoya", "Qanday muammoni hal qilasiz?", "Bosqich", "Nima kerak?", "Taqdimot", "Veb-sayt"):
        assert label in text, label
    assert "Дроны считают коробочки хлопка" in text
    assert "gʻoʻza dalalarini hech kim sanamaydi." in text
    assert "Вторая строка ответа: урожай считают на глаз." in text
    # Option labels, never the stored values; file names.
    assert "Ishlaydigan MVP" in text and "Sarmoya" in text and "Murabbiy" in text
    assert "opt_mvp" not in text and "need_money" not in text
    assert "taqdimot-Oʻzbek-2026.pdf" in text
    # The submission time in the season's zone, named (13:05 UTC is 18:05 in Tashkent).
    assert "18:05 Asia/Tashkent (UTC+05:00)" in text


def test_pdf_in_russian_with_page_numbers_and_generation_date(app, submitted):
    text = _flat(_text(render_application_pdf(submitted, locale="ru")))
    for label in ("Питч одной строкой", "Какую проблему вы решаете?", "Этап", "Что нужно?", "Презентация"):
        assert label in text, label
    assert "Рабочий MVP" in text and "Посевные инвестиции" in text and "Наставник" in text
    # The footer (CSS @page margin boxes): page x of y and the generation date, in the season's zone.
    assert re.search(r"1\D+1", text)  # "Page 1 of 1", translated or not
    assert text.count("Asia/Tashkent (UTC+05:00)") >= 2  # submitted, and generated


def test_long_applications_flow_over_pages_with_numbers(app, db, submitted):
    answer = next(a for a in submitted.answers if isinstance(a.value, str) and "\n" in a.value)
    answer.value = "\n\n".join(f"Абзац {i}: gʻoya va reja, kuzatuv va hisob-kitob." * 6 for i in range(60))
    db.session.commit()
    pdf = render_application_pdf(submitted, locale="en")
    reader = PdfReader(io.BytesIO(pdf))
    pages = len(reader.pages)
    assert pages >= 3
    last = reader.pages[-1].extract_text()
    assert f"Page {pages} of {pages}" in _flat(last)
    assert "Generated on" in _flat(last)


def test_an_unanswered_question_is_shown_as_such(app, submitted):
    text = _flat(_text(render_application_pdf(submitted, locale="en")))
    assert "Website" in text and "No answer" in text


def test_nothing_is_fetched_while_rendering(app, db, submitted):
    """User text is text: markup in an answer is printed, never loaded."""
    answer = next(a for a in submitted.answers if a.value == "Дроны считают коробочки хлопка")
    answer.value = '<img src="http://127.0.0.1:9/x.png"><link rel=stylesheet href="file:///etc/passwd">'
    db.session.commit()
    text = _flat(_text(render_application_pdf(submitted, locale="en")))
    assert '<img src="http://127.0.0.1:9/x.png">' in text


def test_css_strings_are_escaped():
    assert css_string('a "b" \\ c\nd </style>') == '"a \\"b\\" \\\\ c\\A d \\3C /style>"'
    assert css_content("Page %(page)s of %(pages)s") == '"Page " counter(page) " of " counter(pages)'
    assert css_content("%(page)s / %(pages)s") == 'counter(page) " / " counter(pages)'
