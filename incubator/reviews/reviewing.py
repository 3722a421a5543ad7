"""Recording a review: scores by criterion key, a recommendation, feedback for the founder and a
private note for the committee. Saved as a draft or submitted; editable (even once submitted) until
the stage's review deadline, decided by the server clock.

Rules, checked on every call whatever the entry point (page or API):
- the assignment is active, the actor is its reviewer, and may still see it (reviewer_queries:
  not conflicted, still a reviewer of the program...): NotFound otherwise, never confirming it exists;
- before the stage's review deadline, the season not decided or closed, the application still at
  this stage and undecided: Conflict (409) otherwise;
- every score is a whole number (an int, not a bool or a float) within its criterion's scale, and
  names a criterion of the stage: RuleViolation on "scores.<key>";
- to submit (and to change a submitted review, which stays submitted), every criterion is scored;
- the recommendation is one of scoring.Recommendation's values, or none.
The review total is scoring.review_total (the weighted mean) once every criterion is scored, and
None while a draft is incomplete.
"""
from __future__ import annotations

from collections.abc import Mapping

from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from incubator.applications.states import Status
from incubator.core.errors import Conflict, NotFound, RuleViolation
from incubator.core.timeutil import utcnow
from incubator.extensions import db
from incubator.programs.guards import closed_reason, ensure_not_closed
from incubator.programs.models import SeasonStatus
from incubator.reviews import scoring
from incubator.reviews.models import Assignment, AssignmentStatus, Review, ReviewStatus

MAX_TEXT = 10_000
RECOMMENDATIONS = tuple(r.value for r in scoring.Recommendation)
LOCKED_SEASON = (SeasonStatus.DECIDED, SeasonStatus.CLOSED)
OPEN_APPLICATION = (Status.SUBMITTED, Status.IN_REVIEW)


def lock_reason(assignment: Assignment, now=None) -> str | None:
    """Why the review can no longer change (a sentence for people), or None while it can."""
    now = now or utcnow()
    stage = assignment.stage
    closed = closed_reason(stage.season, "reviews")
    if closed:
        return closed
    if stage.review_deadline is not None and now > stage.review_deadline:
        return str(_l("The review deadline of this stage has passed: the review can no longer be changed."))
    if stage.season.status in LOCKED_SEASON:
        return str(_l("The selection of this season is over: the review can no longer be changed."))
    application = assignment.application
    if application.status not in OPEN_APPLICATION or (
            application.current_stage_id is not None and application.current_stage_id != stage.id):
        return str(_l("A decision was made on this application at this stage: the review can no longer be changed."))
    return None


def rubric(stage) -> list[scoring.Criterion]:
    return [scoring.Criterion(c.key, c.weight, c.scale_min, c.scale_max) for c in stage.criteria]


def _clean_text(value, field: str, errors: dict) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        errors.setdefault(field, []).append(str(_l("Write text here.")))
        return ""
    if "\x00" in value:
        errors.setdefault(field, []).append(str(_l("This text contains a NUL character, which is not allowed.")))
        return ""
    value = value.strip()
    if len(value) > MAX_TEXT:
        errors.setdefault(field, []).append(str(_l("Keep it under %(max)d characters (now %(n)d).",
                                                   max=MAX_TEXT, n=len(value))))
    return value


def clean_scores(stage, scores, *, complete: bool, errors: dict) -> dict[str, int]:
    """The scores as stored ({key: int}), adding to `errors` ("scores.<key>" -> messages) for an
    unknown criterion, a value that is not a whole number on the scale, or (when `complete`) a
    criterion left unscored. A null score means "not scored yet"."""
    if scores is None:
        scores = {}
    if not isinstance(scores, Mapping):
        errors.setdefault("scores", []).append(str(_l("Give the scores as criterion: score pairs.")))
        return {}
    criteria = {c.key: c for c in stage.criteria}
    cleaned: dict[str, int] = {}
    for key, value in scores.items():
        criterion = criteria.get(key) if isinstance(key, str) else None
        field = f"scores.{str(key)[:64]}"
        if criterion is None:
            errors.setdefault(field, []).append(str(_l("There is no criterion “%(key)s” at this stage.",
                                                       key=str(key)[:64])))
            continue
        if value is None:
            continue
        if type(value) is not int or not criterion.scale_min <= value <= criterion.scale_max:
            errors.setdefault(field, []).append(str(_l(
                "Give a whole number from %(min)d to %(max)d.", min=criterion.scale_min, max=criterion.scale_max)))
            continue
        cleaned[key] = value
    if complete:
        for key in criteria:
            if key not in cleaned and f"scores.{key}" not in errors:
                errors.setdefault(f"scores.{key}", []).append(str(_l("Score this criterion before submitting.")))
    return cleaned


def _ensure_may_review(assignment: Assignment, actor) -> None:
    from incubator.reviews.reviewer_queries import may_review

    if (assignment is None or actor is None or assignment.status != AssignmentStatus.ACTIVE
            or assignment.reviewer_id != getattr(actor, "id", None) or not may_review(actor, assignment)):
        raise NotFound()


def record_review(assignment: Assignment, *, actor, scores, recommendation=None, feedback="", private_note="",
                  submit: bool = False) -> Review:
    """Save the reviewer's review of the assignment (a draft, or submitted with `submit`). Flushes."""
    _ensure_may_review(assignment, actor)
    ensure_not_closed(assignment.stage.season, "reviews")
    reason = lock_reason(assignment)
    if reason:
        raise Conflict(reason, code="review_locked")
    review = assignment.review
    submitting = bool(submit) or (review is not None and review.status == ReviewStatus.SUBMITTED)
    errors: dict[str, list[str]] = {}
    cleaned = clean_scores(assignment.stage, scores, complete=submitting, errors=errors)
    if recommendation in ("", None):
        recommendation = None
    elif recommendation not in RECOMMENDATIONS:
        errors.setdefault("recommendation", []).append(str(_l("Choose one of the recommendations.")))
    feedback = _clean_text(feedback, "feedback", errors)
    private_note = _clean_text(private_note, "private_note", errors)
    if errors:
        raise RuleViolation(errors=errors)

    now = utcnow()
    criteria = rubric(assignment.stage)
    total = None
    if criteria and len(cleaned) == len(criteria):
        total = scoring.review_total(scoring.Review(assignment.application_id, assignment.reviewer_id, cleaned,
                                                    recommendation), criteria)
    if review is None:
        review = Review(assignment_id=assignment.id)
        db.session.add(review)
        assignment.review = review
    review.scores = cleaned
    review.total = total
    review.recommendation = recommendation
    review.feedback = feedback
    review.private_note = private_note
    review.updated_at = now
    if submitting and review.status != ReviewStatus.SUBMITTED:
        review.status = ReviewStatus.SUBMITTED
        review.submitted_at = now
    try:
        db.session.flush()
    except IntegrityError:
        raise Conflict(_l("This review was saved from another window at the same moment: reload the page and "
                          "check what is there."), code="review_race") from None
    return review


__all__ = ["MAX_TEXT", "RECOMMENDATIONS", "lock_reason", "rubric", "clean_scores", "record_review"]
