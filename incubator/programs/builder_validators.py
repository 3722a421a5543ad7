"""The season builder's rules. Every broken rule is named by its field path in the submitted
document ("closes_at", "questions.2.max_chars", "stages.1.criteria.0.weight"), and every broken rule
of a document is reported at once.

`clean_season_document` checks a whole document and returns it normalised (aware UTC datetimes,
Decimals, ints, bools, trimmed translations). What the stored data forbids (answered questions,
busy stages, scored criteria, status moves) is checked in `builder_stored`."""
from __future__ import annotations

from decimal import Decimal

from flask import current_app
from flask_babel import lazy_gettext as _l

from incubator.core.errors import RuleViolation
from incubator.programs.builder_fields import (  # noqa: F401  (Errors, parse_moment: the builder's too)
    Errors, bool_field, decimal_field, int_field, key_field, list_field, mapping_field, parse_moment, text_field,
    time_zones, translations,
)
from incubator.programs.models import QuestionType
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
