"""The submission confirmation: each founder receives, in their own language, what was submitted."""
from __future__ import annotations

from sqlalchemy import select

from incubator.applications.models import Answer, Application, Attachment
from incubator.applications.services import submit_application
from incubator.applications.states import Status
from incubator.notifications.delivery import deliver_notification
from incubator.notifications.models import Notification
from incubator.programs.models import QuestionType
from incubator.startups.models import Gender, Startup, StartupCollaborator, TeamMember
from tests.support import factories as f
from tests.support.smtp import body_text

STAGES = [
    {"value": "opt_idea", "label": {"en": "Just an idea", "ru": "Только идея", "uz": "Faqat gʻoya"}},
    {"value": "opt_mvp", "label": {"en": "Working MVP", "ru": "Рабочий MVP", "uz": "Ishlaydigan MVP"}},
]
NEEDS = [
    {"value": "need_money", "label": {"en": "Seed funding", "ru": "Посевные инвестиции", "uz": "Boshlangʻich sarmoya"}},
    {"value": "need_mentor", "label": {"en": "A mentor", "ru": "Наставник", "uz": "Murabbiy"}},
    {"value": "need_office", "label": {"en": "Office space", "ru": "Офис", "uz": "Ofis"}},
]


def _submitted_application(db, owner, cofounder=None):
    season = f.SeasonFactory(program=f.ProgramFactory(name="InnoX"), name="Autumn 2026")
    f.QuestionFactory(season=season, key="pitch", type=QuestionType.SHORT_TEXT, position=1,
                      label={"en": "One-line pitch", "ru": "Питч одной строкой", "uz": "Bir qatorli pitch"})
    f.QuestionFactory(season=season, key="stage", type=QuestionType.CHOICE, position=2, options=STAGES,
                      label={"en": "How far are you?", "ru": "На каком вы этапе?", "uz": "Qaysi bosqichdasiz?"})
    f.QuestionFactory(season=season, key="needs", type=QuestionType.MULTI_CHOICE, position=3, options=NEEDS,
                      label={"en": "What do you need?", "ru": "Что вам нужно?", "uz": "Sizga nima kerak?"})
    deck = f.QuestionFactory(season=season, key="deck", type=QuestionType.FILE, position=4, required=False,
                             label={"en": "Pitch deck", "ru": "Презентация", "uz": "Taqdimot"})
    startup = Startup(owner_id=owner.id, name="Paxta AI", sector="agritech", region="andijan")
    db.session.add(startup)
    db.session.flush()
    db.session.add(TeamMember(startup_id=startup.id, user_id=owner.id, name=owner.name, gender=Gender.FEMALE,
                              birth_year=2000))
    if cofounder is not None:
        db.session.add(StartupCollaborator(startup_id=startup.id, user_id=cofounder.id))
    application = Application(season_id=season.id, startup_id=startup.id, status=Status.DRAFT)
    db.session.add(application)
    db.session.flush()
    by_key = {q.key: q for q in season.questions}
    for key, value in {"pitch": "Drones that count cotton bolls", "stage": "opt_mvp",
                       "needs": ["need_money", "need_office"]}.items():
        db.session.add(Answer(application_id=application.id, question_id=by_key[key].id, value=value))
    db.session.add(Attachment(application_id=application.id, question_id=deck.id, storage_key="k-deck-1",
                              original_name="paxta-deck-2026.pdf", content_type="application/pdf",
                              extension="pdf", size=1234, sha256="0" * 64))
    db.session.commit()
    db.session.expire_all()
    application = db.session.get(Application, application.id)
    submit_application(application, actor=owner)
    db.session.commit()
    return application


def _deliver(db, email):
    note = db.session.scalar(select(Notification).where(Notification.kind == "application_submitted",
                                                        Notification.to_email == email))
    assert note is not None, f"no confirmation queued for {email}"
    assert deliver_notification(note.id).result == "sent"
    return note


def test_submission_email_lists_questions_and_option_labels(smtp_app, db, smtp_sink, founder):
    application = _submitted_application(db, founder)
    _deliver(db, founder.email)
    messages = smtp_sink.wait_for(1, timeout=5)
    assert len(messages) == 1
    msg = messages[0]
    assert msg["Subject"] == "Your application was submitted"
    text = body_text(msg)
    html = msg.get_body(preferencelist=("html",)).get_content()
    for body in (text, html):
        assert "Hello Dilnoza Founder," in body
        assert "InnoX: Autumn 2026" in body and "Paxta AI" in body
        assert "Asia/Tashkent (UTC+05:00)" in body  # the submission time, in the season's zone, named
        for label in ("One-line pitch", "How far are you?", "What do you need?", "Pitch deck"):
            assert label in body
        assert "Drones that count cotton bolls" in body
        # Option labels, not the stored values.
        assert "Working MVP" in body and "Seed funding" in body and "Office space" in body
        assert "opt_mvp" not in body and "need_money" not in body and "need_office" not in body
        assert "A mentor" not in body and "Just an idea" not in body  # options not chosen
        assert "paxta-deck-2026.pdf" in body
        assert f"/applications/{application.id}" in body


def test_each_founder_gets_it_in_their_own_language(smtp_app, db, smtp_sink, founder, make_user):
    cofounder = make_user(email="aziz@example.org", name="Азиз", locale="ru")
    _submitted_application(db, founder, cofounder)
    note = _deliver(db, "aziz@example.org")
    assert note.locale == "ru"
    msg = smtp_sink.wait_for(1, timeout=5)[0]
    assert msg["Content-Language"] == "ru"
    text = body_text(msg)
    assert "Азиз" in text and "Dilnoza Founder" in text  # greeted, and told who submitted it
    for label in ("Питч одной строкой", "На каком вы этапе?", "Что вам нужно?", "Презентация"):
        assert label in text
    assert "Рабочий MVP" in text and "Посевные инвестиции" in text and "Офис" in text
    assert "Working MVP" not in text


def test_the_text_part_is_tidy(smtp_app, db, smtp_sink, founder):
    _submitted_application(db, founder)
    _deliver(db, founder.email)
    text = body_text(smtp_sink.wait_for(1, timeout=5)[0])
    lines = text.splitlines()
    # Each label on its own line, its answer indented under it.
    at = lines.index("How far are you?")
    assert lines[at + 1] == "    Working MVP"
    at = lines.index("What do you need?")
    assert lines[at + 1] == "    Seed funding, Office space"
    assert "\n\n\n\n" not in text
