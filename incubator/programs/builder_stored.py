"""What the stored data forbids the season builder: a question answered by an application can be
relabelled, never removed or retyped, and an option an answer uses stays; a stage with assignments or
applications at it stays; a criterion a review scored stays, with its scale; a slug is unique in its
program; a closed season changes no more; and the moves between season statuses.

The shape of a submitted document is checked in `builder_validators`."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import String, cast, select

from incubator.core.errors import Conflict, InvalidTransition, RuleViolation
from incubator.core.timeutil import utcnow
from incubator.extensions import db
from incubator.programs.builder_fields import Errors
from incubator.programs.builder_validators import CHOICE_TYPES
from incubator.programs.models import Season, SeasonStatus

# draft -> open -> reviewing -> decided; open -> draft only while nobody applied. Closing is its own action.
SEASON_TRANSITIONS: dict[SeasonStatus, frozenset[SeasonStatus]] = {
    SeasonStatus.DRAFT: frozenset({SeasonStatus.OPEN}),
    SeasonStatus.OPEN: frozenset({SeasonStatus.REVIEWING, SeasonStatus.DRAFT}),
    SeasonStatus.REVIEWING: frozenset({SeasonStatus.DECIDED}),
    SeasonStatus.DECIDED: frozenset(),
    SeasonStatus.CLOSED: frozenset(),
}


def validate_slug_free(program, slug: str, season: Season | None = None) -> None:
    stmt = select(Season.id).where(Season.program_id == program.id, Season.slug == slug)
    if season is not None and season.id is not None:
        stmt = stmt.where(Season.id != season.id)
    if db.session.scalar(stmt):
        raise RuleViolation("slug", _l("Another season of this program uses this short name."))


def validate_editable(season: Season) -> None:
    from incubator.programs.guards import ensure_not_closed

    ensure_not_closed(season, "settings")


# ------------------------------------------------------------------ what stored data forbids
def answered_question_ids(question_ids) -> set[int]:
    """Questions that an application answered (a stored value, or an uploaded file)."""
    from incubator.applications.models import Answer, Attachment

    ids = [i for i in question_ids if i is not None]
    if not ids:
        return set()
    answered = set(db.session.scalars(select(Answer.question_id).distinct().where(
        Answer.question_id.in_(ids), Answer.value.is_not(None), cast(Answer.value, String) != "null")))
    files = set(db.session.scalars(select(Attachment.question_id).distinct().where(Attachment.question_id.in_(ids))))
    return answered | files


def _used_values(question_id: int) -> set[str]:
    from incubator.applications.models import Answer

    used: set[str] = set()
    for value in db.session.scalars(select(Answer.value).where(Answer.question_id == question_id)):
        for v in value if isinstance(value, list) else [value]:
            if v is not None:
                used.add(str(v))
    return used


def validate_question_changes(season: Season, questions: list[dict]) -> None:
    """An answered question is neither removed nor retyped; an option an answer uses is not removed."""
    errors = Errors()
    existing = {q.key: q for q in season.questions}
    answered = answered_question_ids([q.id for q in existing.values()])
    given = {q["key"]: (i, q) for i, q in enumerate(questions)}
    for key, question in existing.items():
        if question.id not in answered:
            continue
        if key not in given:
            errors.add("questions", _l("The question “%(key)s” has answers: it cannot be removed (its label can "
                                       "change).", key=key))
            continue
        i, new = given[key]
        if new["type"] != question.type:
            errors.add(f"questions.{i}.type", _l("The question “%(key)s” has answers: its type cannot change.",
                                                 key=key))
            continue
        if question.type in CHOICE_TYPES:
            removed = {str(o.get("value")) for o in question.options or []} - {o["value"] for o in new["options"]}
            in_use = sorted(removed & _used_values(question.id)) if removed else []
            if in_use:
                errors.add(f"questions.{i}.options", _l("These options are chosen in answers and must stay: "
                                                        "%(values)s.", values=", ".join(in_use)))
    errors.raise_if_any()


def validate_stage_changes(season: Season, stages: list[dict], matched: dict[int, int]) -> None:
    """matched: stage id -> index of the given stage it becomes. A stage with work at it stays; a
    scored criterion stays, with its scale."""
    from incubator.applications.models import Application
    from incubator.reviews.models import Assignment, Review

    errors = Errors()
    ids = [s.id for s in season.stages]
    if not ids:
        return
    busy = set(db.session.scalars(select(Assignment.stage_id).distinct().where(Assignment.stage_id.in_(ids))))
    busy |= set(db.session.scalars(select(Application.current_stage_id).distinct()
                                   .where(Application.current_stage_id.in_(ids))))
    for stage in season.stages:
        if stage.id not in matched:
            if stage.id in busy:
                errors.add("stages", _l("The stage “%(name)s” has applications or reviewers at it: it cannot be "
                                        "removed.", name=stage.name_in(None) or stage.position))
            continue
        if stage.id not in busy:
            continue
        index = stages[matched[stage.id]]["_index"]
        new = {c["key"]: (j, c) for j, c in enumerate(stages[matched[stage.id]]["criteria"])}
        scored: set[str] = set()
        for scores in db.session.scalars(select(Review.scores).join(Assignment, Review.assignment_id == Assignment.id)
                                         .where(Assignment.stage_id == stage.id)):
            scored |= {k for k, v in (scores or {}).items() if v is not None}
        for criterion in stage.criteria:
            if criterion.key not in scored:
                continue
            if criterion.key not in new:
                errors.add(f"stages.{index}.criteria", _l("The criterion “%(key)s” is scored in reviews: it cannot "
                                                          "be removed.", key=criterion.key))
                continue
            j, c = new[criterion.key]
            if (c["scale_min"], c["scale_max"]) != (criterion.scale_min, criterion.scale_max):
                errors.add(f"stages.{index}.criteria.{j}.scale_min",
                           _l("The criterion “%(key)s” is scored in reviews: its scale cannot change.",
                              key=criterion.key))
    errors.raise_if_any()


def validate_status_change(season: Season, to: SeasonStatus, *, application_count: int) -> None:
    """The moves a manager makes, and what each needs: open needs a question and a future close;
    reviewing needs stages, each with a criterion; back to draft only while nobody applied."""
    if to == season.status:
        return
    if to == SeasonStatus.CLOSED:
        raise InvalidTransition(_l("Close a season with its own action (it compiles the report)."))
    if to not in SEASON_TRANSITIONS[SeasonStatus(season.status)]:
        raise InvalidTransition(_l("A season cannot go from %(src)s to %(dst)s.", src=season.status, dst=to))
    if to == SeasonStatus.OPEN:
        if not season.questions:
            raise Conflict(_l("Add a question before opening the season."), code="no_questions")
        if season.closes_at <= utcnow():
            raise Conflict(_l("The window has already closed: move the closing time before opening."),
                           code="window_past")
    if to == SeasonStatus.REVIEWING:
        if not season.stages:
            raise Conflict(_l("Add a stage before review starts."), code="no_stages")
        empty = [s.name_in(None) or str(s.position) for s in season.stages if not s.criteria]
        if empty:
            raise Conflict(_l("Give every stage a rubric first: %(names)s.", names=", ".join(empty)),
                           code="no_criteria")
    if to == SeasonStatus.DRAFT and application_count:
        raise Conflict(_l("Founders have applied: the season cannot go back to draft."), code="has_applications")
