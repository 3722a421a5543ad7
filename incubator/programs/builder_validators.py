"""The season builder's rules. Every broken rule is named by its field path in the submitted
document ("closes_at", "questions.2.max_chars", "stages.1.criteria.0.weight"), and every broken rule
of a document is reported at once.

`clean_season_document` checks a whole document and returns it normalised (aware UTC datetimes,
Decimals, ints, bools, trimmed translations). The `validate_*_changes` functions check what the
stored data forbids: a question answered by an application can be relabelled, never removed or
retyped, and an option an answer uses stays; a stage with assignments or applications at it stays;
a criterion a review scored stays, with its scale."""
from __future__ import annotations

from decimal import Decimal

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import String, cast, distinct, select

from incubator.core.errors import Conflict, InvalidTransition, RuleViolation
from incubator.core.timeutil import utcnow
from incubator.extensions import db
from incubator.programs.builder_fields import (  # noqa: F401  (Errors, parse_moment: the builder's too)
    Errors, bool_field, decimal_field, int_field, key_field, list_field, mapping_field, parse_moment, text_field,
    time_zones, translations,
)
from incubator.programs.models import QuestionType, Season, SeasonStatus
from incubator.programs.validators import SLUG_RE

NAME_MAX = 200
LABEL_MAX = 500
POINT_LABEL_MAX = 60
HELP_MAX = 2000
DESCRIPTION_MAX = 5000
OPTION_VALUE_MAX = 100
MAX_QUESTIONS, MAX_OPTIONS, MAX_STAGES, MAX_CRITERIA = 100, 100, 10, 20
GRACE_MAX = 7 * 24 * 60
QUOTA_MAX = 100_000
OFFER_DAYS_MAX = 90
REVIEWS_MAX = 50
TEXT_LIMIT_MAX = 20_000  # the longest answer the form takes (applications.validators.MAX_TEXT)
SCALE_MIN, SCALE_MAX = 0, 100
WEIGHT_MAX = Decimal("999.999")
THRESHOLD_MAX = Decimal("99.99")
TEXT_TYPES = (QuestionType.SHORT_TEXT, QuestionType.LONG_TEXT)
CHOICE_TYPES = (QuestionType.CHOICE, QuestionType.MULTI_CHOICE)

# draft -> open -> reviewing -> decided; open -> draft only while nobody applied. Closing is its own action.
SEASON_TRANSITIONS: dict[SeasonStatus, frozenset[SeasonStatus]] = {
    SeasonStatus.DRAFT: frozenset({SeasonStatus.OPEN}),
    SeasonStatus.OPEN: frozenset({SeasonStatus.REVIEWING, SeasonStatus.DRAFT}),
    SeasonStatus.REVIEWING: frozenset({SeasonStatus.DECIDED}),
    SeasonStatus.DECIDED: frozenset(),
    SeasonStatus.CLOSED: frozenset(),
}


def clean_option(item, path: str, errors: Errors) -> dict | None:
    if isinstance(item, str):
        item = {"value": item}
    if mapping_field(item, path, errors) is None:
        return None
    value = item.get("value")
    if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        value = str(value)
    value = text_field(value, f"{path}.value", errors, limit=OPTION_VALUE_MAX, required=True)
    label = translations(item.get("label"), f"{path}.label", errors, limit=LABEL_MAX)
    return {"value": value, "label": label or {"en": value}}


def clean_question(item, path: str, errors: Errors) -> dict | None:
    if mapping_field(item, path, errors) is None:
        return None
    raw_type = item.get("type")
    qtype = QuestionType(raw_type) if isinstance(raw_type, str) and raw_type in set(QuestionType) else None
    if qtype is None:
        errors.add(f"{path}.type", _l("Choose a type: %(types)s.", types=", ".join(t.value for t in QuestionType)))
    q = {
        "key": key_field(item.get("key"), f"{path}.key", errors),
        "type": qtype,
        "required": bool_field(item.get("required"), f"{path}.required", errors, False),
        "shown_in_blind": bool_field(item.get("shown_in_blind"), f"{path}.shown_in_blind", errors, True),
        "label": translations(item.get("label"), f"{path}.label", errors, limit=LABEL_MAX, required=True),
        "help_text": translations(item.get("help_text"), f"{path}.help_text", errors, limit=HELP_MAX),
        "max_chars": int_field(item.get("max_chars"), f"{path}.max_chars", errors, low=1, high=TEXT_LIMIT_MAX,
                          optional=True),
        "max_words": int_field(item.get("max_words"), f"{path}.max_words", errors, low=1, high=TEXT_LIMIT_MAX,
                          optional=True),
        "min_value": decimal_field(item.get("min_value"), f"{path}.min_value", errors),
        "max_value": decimal_field(item.get("max_value"), f"{path}.max_value", errors),
        "options": [],
    }
    options = list_field(item.get("options"), f"{path}.options", errors, MAX_OPTIONS)
    seen: set[str] = set()
    for j, raw in enumerate(options):
        option = clean_option(raw, f"{path}.options.{j}", errors)
        if option is None or not option["value"]:
            continue
        if option["value"] in seen:
            errors.add(f"{path}.options.{j}.value", _l("“%(value)s” is listed twice.", value=option["value"]))
            continue
        seen.add(option["value"])
        q["options"].append(option)
    if qtype is None:
        return q
    for limit in ("max_chars", "max_words"):
        if q[limit] is not None and qtype not in TEXT_TYPES:
            errors.add(f"{path}.{limit}", _l("Only text questions have a length limit."))
    for bound in ("min_value", "max_value"):
        if q[bound] is not None and qtype != QuestionType.NUMBER:
            errors.add(f"{path}.{bound}", _l("Only number questions have a smallest or largest value."))
    if q["min_value"] is not None and q["max_value"] is not None and q["min_value"] > q["max_value"]:
        errors.add(f"{path}.max_value", _l("The largest value must not be below the smallest."))
    if qtype in CHOICE_TYPES and not q["options"] and not errors.has(f"{path}.options"):
        errors.add(f"{path}.options", _l("A choice question needs its options."))
    if qtype not in CHOICE_TYPES and options:
        errors.add(f"{path}.options", _l("Only choice questions have options."))
    return q


def clean_criterion(item, path: str, errors: Errors) -> dict | None:
    if mapping_field(item, path, errors) is None:
        return None
    c = {
        "key": key_field(item.get("key"), f"{path}.key", errors),
        "label": translations(item.get("label"), f"{path}.label", errors, limit=LABEL_MAX, required=True),
        "description": translations(item.get("description"), f"{path}.description", errors, limit=HELP_MAX),
        "weight": decimal_field(item.get("weight", "1"), f"{path}.weight", errors, optional=False, places=3),
        "scale_min": int_field(item.get("scale_min"), f"{path}.scale_min", errors, low=SCALE_MIN, high=SCALE_MAX,
                          default=1),
        "scale_max": int_field(item.get("scale_max"), f"{path}.scale_max", errors, low=SCALE_MIN, high=SCALE_MAX,
                          default=5),
    }
    if c["weight"] is not None and not Decimal(0) < c["weight"] <= WEIGHT_MAX:
        errors.add(f"{path}.weight", _l("A weight is above 0 and at most %(max)s.", max=WEIGHT_MAX))
    if c["scale_min"] is not None and c["scale_max"] is not None and c["scale_max"] <= c["scale_min"]:
        errors.add(f"{path}.scale_max", _l("The top of the scale must be above its bottom."))
    c["scale_labels"] = clean_scale_labels(item.get("scale_labels"), f"{path}.scale_labels", errors,
                                           c["scale_min"], c["scale_max"])
    return c


def clean_scale_labels(value, path: str, errors: Errors, low: int | None, high: int | None) -> dict:
    """{"1": {"en": "Weak", ...}, "5": {...}}: a word per point of the scale, each point on the scale."""
    if value is None or value == {}:
        return {}
    if not isinstance(value, dict):
        errors.add(path, _l("Give the words as an object keyed by point, e.g. {\"1\": {\"en\": \"Weak\"}}."))
        return {}
    cleaned = {}
    for point, words in value.items():
        text = str(point).strip()
        if not text.lstrip("-").isdigit() or (low is not None and high is not None and not low <= int(text) <= high):
            errors.add(f"{path}.{point}", _l("%(point)s is not a point of the scale %(low)s to %(high)s.",
                                              point=text, low=low, high=high))
            continue
        labels = translations(words, f"{path}.{int(text)}", errors, limit=POINT_LABEL_MAX)
        if any(labels.values()):
            cleaned[str(int(text))] = labels
    return cleaned


def clean_stage(item, path: str, errors: Errors, index: int) -> dict | None:
    if mapping_field(item, path, errors) is None:
        return None
    stage_id = item.get("id")
    if stage_id is not None and (isinstance(stage_id, bool) or not isinstance(stage_id, int)):
        errors.add(f"{path}.id", _l("Give the id of a stage of this season, or none for a new stage."))
        stage_id = None
    s = {
        "_index": index,
        "id": stage_id,
        "position": int_field(item.get("position"), f"{path}.position", errors, low=1, high=MAX_STAGES * 10,
                         default=index + 1),
        "name": translations(item.get("name"), f"{path}.name", errors, limit=NAME_MAX, required=True),
        "reviews_required": int_field(item.get("reviews_required"), f"{path}.reviews_required", errors, low=1,
                                 high=REVIEWS_MAX, default=2),
        "is_blind": bool_field(item.get("is_blind"), f"{path}.is_blind", errors, False),
        "review_deadline": parse_moment(item.get("review_deadline"), f"{path}.review_deadline", errors,
                                        optional=True),
        "reviewers_see_others": bool_field(item.get("reviewers_see_others"), f"{path}.reviewers_see_others", errors,
                                      False),
        "disagreement_threshold": decimal_field(item.get("disagreement_threshold", "1"),
                                           f"{path}.disagreement_threshold", errors, optional=False, places=2),
        "criteria": [],
    }
    if s["disagreement_threshold"] is not None and not Decimal(0) < s["disagreement_threshold"] <= THRESHOLD_MAX:
        errors.add(f"{path}.disagreement_threshold",
                   _l("The disagreement threshold is above 0 and at most %(max)s.", max=THRESHOLD_MAX))
    keys: set[str] = set()
    for j, raw in enumerate(list_field(item.get("criteria"), f"{path}.criteria", errors, MAX_CRITERIA)):
        criterion = clean_criterion(raw, f"{path}.criteria.{j}", errors)
        if criterion is None:
            continue
        if criterion["key"] and criterion["key"] in keys:
            errors.add(f"{path}.criteria.{j}.key", _l("Another criterion of this stage has this key."))
        keys.add(criterion["key"])
        s["criteria"].append(criterion)
    return s


def clean_season_document(doc: dict) -> dict:
    """The whole document checked, every broken rule named, or the clean document."""
    errors = Errors()
    if not isinstance(doc, dict):
        raise RuleViolation("_body", _l("Give the season as an object."))
    name = text_field(doc.get("name"), "name", errors, limit=NAME_MAX, required=True)
    slug = (doc.get("slug") or "").strip().lower() if isinstance(doc.get("slug"), str) else doc.get("slug")
    if not isinstance(slug, str) or not slug or len(slug) > 80 or not SLUG_RE.match(slug):
        errors.add("slug", _l("Use lower-case letters, digits and single hyphens, 80 characters at most."))
    tz = doc.get("timezone") or current_app.config["DEFAULT_SEASON_TIMEZONE"]
    if not isinstance(tz, str) or tz not in time_zones():
        errors.add("timezone", _l("Choose a real time zone, like Asia/Tashkent."))
    clean = {
        "name": name, "slug": slug,
        "description": translations(doc.get("description"), "description", errors, limit=DESCRIPTION_MAX),
        "opens_at": parse_moment(doc.get("opens_at"), "opens_at", errors),
        "closes_at": parse_moment(doc.get("closes_at"), "closes_at", errors),
        "timezone": tz,
        "grace_minutes": int_field(doc.get("grace_minutes"), "grace_minutes", errors, low=0, high=GRACE_MAX, default=0),
        "quota": int_field(doc.get("quota"), "quota", errors, low=1, high=QUOTA_MAX, optional=True),
        "offer_confirmation_days": int_field(doc.get("offer_confirmation_days"), "offer_confirmation_days", errors,
                                        low=1, high=OFFER_DAYS_MAX, default=7),
        "questions": [], "stages": [],
    }
    if clean["opens_at"] and clean["closes_at"] and clean["closes_at"] <= clean["opens_at"]:
        errors.add("closes_at", _l("The window closes after it opens."))
    keys: set[str] = set()
    for i, raw in enumerate(list_field(doc.get("questions"), "questions", errors, MAX_QUESTIONS)):
        question = clean_question(raw, f"questions.{i}", errors)
        if question is None:
            continue
        if question["key"] and question["key"] in keys:
            errors.add(f"questions.{i}.key", _l("Another question has this key."))
        keys.add(question["key"])
        clean["questions"].append(question)
    stages = []
    for i, raw in enumerate(list_field(doc.get("stages"), "stages", errors, MAX_STAGES)):
        stage = clean_stage(raw, f"stages.{i}", errors, i)
        if stage is not None:
            stages.append((i, stage))
    _check_stages(stages, clean["closes_at"], errors)
    clean["stages"] = [s for _, s in sorted(stages, key=lambda pair: (pair[1]["position"] or 0, pair[0]))]
    errors.raise_if_any()
    return clean


def _check_stages(stages: list[tuple[int, dict]], closes_at, errors: Errors) -> None:
    """Positions unique; ids unique; deadlines after the close and in the stages' order."""
    positions: set[int] = set()
    ids: set[int] = set()
    for i, stage in stages:
        if stage["position"] in positions:
            errors.add(f"stages.{i}.position", _l("Another stage has this position."))
        positions.add(stage["position"])
        if stage["id"] is not None:
            if stage["id"] in ids:
                errors.add(f"stages.{i}.id", _l("This stage is listed twice."))
            ids.add(stage["id"])
    previous = None
    for i, stage in sorted(stages, key=lambda pair: (pair[1]["position"] or 0, pair[0])):
        deadline = stage["review_deadline"]
        if deadline is None:
            continue
        if closes_at and deadline <= closes_at:
            errors.add(f"stages.{i}.review_deadline", _l("A review deadline comes after the window closes."))
        elif previous is not None and deadline <= previous:
            errors.add(f"stages.{i}.review_deadline", _l("A review deadline comes after the previous stage's."))
        previous = deadline


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
    answered = set(db.session.scalars(select(distinct(Answer.question_id)).where(
        Answer.question_id.in_(ids), Answer.value.is_not(None), cast(Answer.value, String) != "null")))
    files = set(db.session.scalars(select(distinct(Attachment.question_id)).where(Attachment.question_id.in_(ids))))
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
    busy = set(db.session.scalars(select(distinct(Assignment.stage_id)).where(Assignment.stage_id.in_(ids))))
    busy |= set(db.session.scalars(select(distinct(Application.current_stage_id))
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
