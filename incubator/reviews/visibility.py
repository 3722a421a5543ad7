"""What a reviewer may see of the application behind an assignment, as one plain dict that the page,
the API and the downloads all use, so a blind stage hides the same things everywhere.

Open stage: the startup (name, pitch, description, sector, region, stage, founding date, website,
logo) and its team (names and roles, never e-mails), every answer and every file under its own name.

Blind stage: no founder or team names or e-mails, no startup name, pitch, description, logo or
website, no application id; only the answers to questions marked `shown_in_blind`, and only the files
that are both marked anonymised by the founder and answer such a question, offered under neutral names
("deck-<assignment id>.pdf"). Non-identifying facts stay (sector, region, country, startup stage,
team size).

Everything here reads; nothing writes.
"""
from __future__ import annotations

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from incubator.core.errors import NotFound
from incubator.programs.models import QuestionType
from incubator.reviews.models import Assignment, ReviewStatus
from incubator.reviews.reviewing import lock_reason


def _locale(locale: str | None) -> str:
    return locale or str(get_locale() or "en")


def assignment_label(assignment: Assignment) -> str:
    """How the application is named to the reviewer: the startup's name in an open stage, a
    neutral reference built from the assignment id in a blind one."""
    if assignment.stage.is_blind:
        return str(_l("Anonymous application %(ref)s", ref=f"A-{assignment.id}"))
    return assignment.application.startup.name


def neutral_name(assignment: Assignment, attachment, question) -> str:
    key = question.key if question is not None else "file"
    return f"{key}-{assignment.id}.{attachment.extension}" if attachment.extension else f"{key}-{assignment.id}"


def visible_attachments(assignment: Assignment) -> list[tuple[object, object, str]]:
    """(attachment, question, download name) of every file the reviewer may open, in question order."""
    application = assignment.application
    questions = {q.id: q for q in application.season.questions}
    blind = assignment.stage.is_blind
    found = []
    for attachment in application.attachments:
        question = questions.get(attachment.question_id)
        if question is None:
            continue
        if blind:
            if not (attachment.is_anonymised and question.shown_in_blind):
                continue
            found.append((attachment, question, neutral_name(assignment, attachment, question)))
        else:
            found.append((attachment, question, attachment.original_name))
    found.sort(key=lambda item: (item[1].position, item[1].id, item[0].id))
    return found


def visible_attachment(assignment: Assignment, attachment_id) -> tuple[object, str]:
    """(attachment, download name) of one file the reviewer may open; NotFound for any other."""
    for attachment, _question, name in visible_attachments(assignment):
        if attachment.id == attachment_id:
            return attachment, name
    raise NotFound()


def open_for_reviewer(assignment: Assignment, attachment_id):
    """(stream, download name, MIME type, attachment) of a file the reviewer may open."""
    import logging

    from incubator.storage import get_storage

    attachment, name = visible_attachment(assignment, attachment_id)
    try:
        stream = get_storage().open(attachment.storage_key)
    except FileNotFoundError:
        logging.getLogger(__name__).error("attachment %s: stored file is missing", attachment.id)
        raise NotFound(_l("This file is missing from storage: tell the program's managers.")) from None
    return stream, name, attachment.content_type, attachment


def _answers(assignment: Assignment, locale: str) -> list[dict]:
    application = assignment.application
    values = {a.question_id: a.value for a in application.answers}
    blind = assignment.stage.is_blind
    rows = []
    for question in application.season.questions:
        if question.type == QuestionType.FILE or (blind and not question.shown_in_blind):
            continue
        value = values.get(question.id)
        text, items = "", []
        if value is None or value == "" or value == []:
            pass
        elif question.type == QuestionType.MULTI_CHOICE:
            items = [question.option_label(v, locale) for v in (value if isinstance(value, list) else [value])]
        else:
            text = question.display_answer(value, locale)
        rows.append({"key": question.key, "label": question.label_in(locale), "type": str(question.type),
                     "text": text, "items": items})
    return rows


def _startup(assignment: Assignment) -> dict:
    startup = assignment.application.startup
    facts = {"sector": startup.sector, "region": startup.region, "country": startup.country,
             "stage": str(startup.stage), "team_size": len(startup.members)}
    if assignment.stage.is_blind:
        return facts
    return {**facts, "name": startup.name, "pitch": startup.pitch, "description": startup.description,
            "website": startup.website, "founded_on": startup.founded_on, "has_logo": bool(startup.logo_key),
            "team": [{"name": m.name, "role": m.role, "gender": str(m.gender)} for m in startup.members]}


def _review(review) -> dict | None:
    if review is None:
        return None
    return {"status": str(review.status), "scores": dict(review.scores or {}), "total": review.total,
            "recommendation": review.recommendation, "feedback": review.feedback,
            "private_note": review.private_note, "submitted_at": review.submitted_at,
            "updated_at": review.updated_at}


def _others(assignment: Assignment) -> list[dict]:
    """Other reviewers' submitted reviews, once this one is submitted and the stage allows it:
    scores, total, recommendation and feedback; never who wrote them, never a private note."""
    from incubator.reviews.reviewer_queries import other_reviews

    mine = assignment.review
    if not assignment.stage.reviewers_see_others or mine is None or mine.status != ReviewStatus.SUBMITTED:
        return []
    return [{"label": str(_l("Reviewer %(n)d", n=n)), "scores": dict(r.scores or {}), "total": r.total,
             "recommendation": r.recommendation, "feedback": r.feedback}
            for n, r in enumerate(other_reviews(assignment), start=1)]


def reviewer_view(assignment: Assignment, locale: str | None = None) -> dict:
    """Everything the reviewer may see for this assignment, as plain values (see the module doc)."""
    locale = _locale(locale)
    stage, application = assignment.stage, assignment.application
    season = stage.season
    blind = stage.is_blind
    locked = lock_reason(assignment)
    return {
        "id": assignment.id,
        "label": assignment_label(assignment),
        "is_blind": blind,
        "stage": {"id": stage.id, "name": stage.name_in(locale), "review_deadline": stage.review_deadline,
                  "reviews_required": stage.reviews_required, "reviewers_see_others": stage.reviewers_see_others},
        "season": {"id": season.id, "name": season.name, "program": season.program.name,
                   "timezone": season.timezone},
        "application": {"id": None if blind else application.id, "status": str(application.status),
                        "submitted_at": application.submitted_at},
        "startup": _startup(assignment),
        "answers": _answers(assignment, locale),
        "attachments": [{"id": a.id, "question": q.key, "question_label": q.label_in(locale), "name": name,
                         "content_type": a.content_type, "size": a.size}
                        for a, q, name in visible_attachments(assignment)],
        "criteria": [{"key": c.key, "label": c.label_in(locale), "description": _translated(c.description, locale),
                      "weight": c.weight, "scale_min": c.scale_min, "scale_max": c.scale_max,
                      "scale_labels": {p: c.point_label(int(p), locale) for p in sorted(c.scale_labels or {}, key=int)
                                       if c.point_label(int(p), locale)}}
                     for c in stage.criteria],
        "review": _review(assignment.review),
        "other_reviews": _others(assignment),
        "can_edit": locked is None,
        "locked_reason": locked,
    }


def _translated(value, locale):
    from incubator.core.models import translated

    return translated(value, locale)


__all__ = ["reviewer_view", "assignment_label", "neutral_name", "visible_attachments", "visible_attachment",
           "open_for_reviewer"]
