"""The season builder's forms (shape only: the builder's validators decide the rules), and the
translation between them and the builder's document: local times in the season's zone, one field
per language, options as lines, criteria as rows. Errors named by document path ("questions.2.max_chars",
"stages.0.criteria.1.weight") are put back on the field they belong to."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField, DateTimeLocalField, FieldList, Form, FormField, IntegerField, SelectField, StringField,
    SubmitField, TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from incubator.core.timeutil import zone
from incubator.programs.models import QuestionType, SeasonStatus

LANGS = ("en", "ru", "uz")
IN_LANG = {"en": _l("in English"), "ru": _l("in Russian"), "uz": _l("in Uzbek")}
LOCAL_FORMAT = "%Y-%m-%dT%H:%M"
COMMON_ZONES = ("Asia/Tashkent", "Asia/Samarkand", "Asia/Almaty", "Asia/Bishkek", "Asia/Dushanbe",
                "Asia/Ashgabat", "Europe/Moscow", "UTC")
TYPE_LABELS = {
    QuestionType.SHORT_TEXT: _l("Short text"), QuestionType.LONG_TEXT: _l("Long text"),
    QuestionType.NUMBER: _l("Number"), QuestionType.CHOICE: _l("One choice"),
    QuestionType.MULTI_CHOICE: _l("Several choices"), QuestionType.URL: _l("Web address"),
    QuestionType.DATE: _l("Date"), QuestionType.FILE: _l("File"),
}
STATUS_LABELS = {
    SeasonStatus.DRAFT: _l("Draft"), SeasonStatus.OPEN: _l("Open"), SeasonStatus.REVIEWING: _l("Reviewing"),
    SeasonStatus.DECIDED: _l("Decided"), SeasonStatus.CLOSED: _l("Closed"),
}
APP_LABELS = {
    "draft": _l("Draft"), "submitted": _l("Submitted"), "in_review": _l("In review"), "waitlisted": _l("Waitlisted"),
    "accepted": _l("Accepted"), "rejected": _l("Rejected"), "withdrawn": _l("Withdrawn"),
}
STATUS_ACTIONS = {
    SeasonStatus.OPEN: _l("Open for applications"), SeasonStatus.REVIEWING: _l("Start the review"),
    SeasonStatus.DECIDED: _l("Mark as decided"), SeasonStatus.DRAFT: _l("Back to draft"),
}


def _lang_fields(prefix: str, label, field=StringField, limit: int = 500) -> dict:
    return {f"{prefix}_{code}": field(_l("%(what)s %(lang)s", what=label, lang=IN_LANG[code]),
                                      validators=[Optional(), Length(max=limit)]) for code in LANGS}


def _with_langs(base: type, **groups) -> type:
    attrs = {}
    for prefix, (label, field, limit) in groups.items():
        attrs.update(_lang_fields(prefix, label, field, limit))
    return type(base.__name__, (base,), attrs)


class _SeasonForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    slug = StringField(_l("Short name (for links)"), validators=[Optional(), Length(max=80)],
                       description=_l("Lower-case letters, digits and hyphens; made from the name when empty."))
    opens_at = DateTimeLocalField(_l("Opens"), format=LOCAL_FORMAT, validators=[DataRequired()])
    closes_at = DateTimeLocalField(_l("Closes"), format=LOCAL_FORMAT, validators=[DataRequired()])
    timezone = StringField(_l("Time zone"), default="Asia/Tashkent", validators=[DataRequired(), Length(max=64)],
                           description=_l("The opening and closing times are in this zone, e.g. Asia/Tashkent."))
    grace_minutes = IntegerField(_l("Grace period, minutes"), default=0, validators=[Optional()],
                                 description=_l("Submissions are still taken this long after the close."))
    quota = IntegerField(_l("Seats"), validators=[Optional()], description=_l("Leave empty for no quota."))
    offer_confirmation_days = IntegerField(_l("Days to confirm an offer"), default=7, validators=[Optional()])
    submit = SubmitField(_l("Save the season"))


SeasonForm = _with_langs(_SeasonForm, description=(_l("Description"), TextAreaField, 5000))


class _QuestionForm(FlaskForm):
    key = StringField(_l("Key"), validators=[DataRequired(), Length(max=64)],
                      description=_l("Names the answer in exports and the API; lower-case letters, digits, "
                                     "“_” and “-”. It cannot change later."))
    type = SelectField(_l("Type"), choices=[(t.value, label) for t, label in TYPE_LABELS.items()])
    required = BooleanField(_l("An answer is required"))
    shown_in_blind = BooleanField(_l("Shown to reviewers at blind stages"), default=True)
    options = TextAreaField(_l("Options"), validators=[Optional(), Length(max=20000)],
                            description=_l("For choice questions: one option a line, as "
                                           "value | English | Russian | Uzbek."))
    max_chars = IntegerField(_l("Most characters"), validators=[Optional()])
    max_words = IntegerField(_l("Most words"), validators=[Optional()])
    min_value = StringField(_l("Smallest number"), validators=[Optional(), Length(max=30)])
    max_value = StringField(_l("Largest number"), validators=[Optional(), Length(max=30)])
    submit = SubmitField(_l("Save the question"))


QuestionForm = _with_langs(_QuestionForm, label=(_l("Question"), StringField, 500),
                           help=(_l("Help text"), TextAreaField, 2000))


class _CriterionRow(Form):
    key = StringField(_l("Key"), validators=[Optional(), Length(max=64)])
    weight = StringField(_l("Weight"), default="1", validators=[Optional(), Length(max=20)])
    scale_min = IntegerField(_l("Scale from"), default=1, validators=[Optional()])
    scale_max = IntegerField(_l("Scale to"), default=5, validators=[Optional()])
    order = IntegerField(_l("Order"), validators=[Optional()])
    remove = BooleanField(_l("Remove"))


CriterionRow = _with_langs(_CriterionRow, label=(_l("Label"), StringField, 500),
                           description=(_l("Description"), StringField, 2000),
                           points=(_l("Words for the points"), StringField, 1000))
POINT_SEPARATOR = "|"


def points_from_rows(row) -> dict:
    """The per-language "Weak | Fair | Good" fields -> {"1": {"en": "Weak", ...}, ...} (lowest point first)."""
    low = row.scale_min.data if row.scale_min.data is not None else 1
    labels: dict[str, dict] = {}
    for code in LANGS:
        words = [w.strip() for w in (getattr(row, f"points_{code}").data or "").split(POINT_SEPARATOR)]
        if not any(words):
            continue
        for offset, word in enumerate(words):
            if word:
                labels.setdefault(str(low + offset), {})[code] = word
    return labels


def fill_points(row, criterion: dict) -> None:
    labels = criterion.get("scale_labels") or {}
    points = range(criterion["scale_min"], criterion["scale_max"] + 1)
    for code in LANGS:
        words = [(labels.get(str(p)) or {}).get(code, "") for p in points]
        getattr(row, f"points_{code}").data = f" {POINT_SEPARATOR} ".join(words) if any(words) else ""


class _StageForm(FlaskForm):
    reviews_required = IntegerField(_l("Reviews per application"), default=2, validators=[Optional()])
    is_blind = BooleanField(_l("Blind review (reviewers do not see who applied)"))
    review_deadline = DateTimeLocalField(_l("Review deadline"), format=LOCAL_FORMAT, validators=[Optional()],
                                         description=_l("In the season's time zone; after the window closes."))
    reviewers_see_others = BooleanField(_l("Reviewers see the others' reviews after submitting their own"))
    disagreement_threshold = StringField(_l("Disagreement threshold"), default="1.00",
                                         validators=[Optional(), Length(max=20)],
                                         description=_l("Reviews further apart than this many scale points "
                                                        "are flagged."))
    criteria = FieldList(FormField(CriterionRow), min_entries=1)
    submit = SubmitField(_l("Save the stage"))


StageForm = _with_langs(_StageForm, name=(_l("Stage name"), StringField, 200))


class CopyForm(FlaskForm):
    name = StringField(_l("Name of the new season"), validators=[DataRequired(), Length(max=200)])
    slug = StringField(_l("Short name (for links)"), validators=[Optional(), Length(max=80)])
    opens_at = DateTimeLocalField(_l("Opens"), format=LOCAL_FORMAT, validators=[DataRequired()])
    closes_at = DateTimeLocalField(_l("Closes"), format=LOCAL_FORMAT, validators=[DataRequired()])
    submit = SubmitField(_l("Copy the season"))


# ------------------------------------------------------------------ form <-> document
def to_local(moment, tz_name: str):
    return moment.astimezone(zone(tz_name)).replace(tzinfo=None) if moment else None


def to_aware(local, tz_name: str):
    return local.replace(tzinfo=zone(tz_name)) if local else None


def langs_of(form, prefix: str) -> dict:
    return {code: getattr(form, f"{prefix}_{code}").data or "" for code in LANGS}


def fill_langs(form, prefix: str, value: dict) -> None:
    for code in LANGS:
        getattr(form, f"{prefix}_{code}").data = (value or {}).get(code, "")


def season_data(form) -> dict:
    tz = (form.timezone.data or "").strip()
    return {"name": form.name.data, "slug": form.slug.data or "", "description": langs_of(form, "description"),
            "opens_at": to_aware(form.opens_at.data, tz), "closes_at": to_aware(form.closes_at.data, tz),
            "timezone": tz, "grace_minutes": form.grace_minutes.data, "quota": form.quota.data,
            "offer_confirmation_days": form.offer_confirmation_days.data}


def fill_season(form, doc: dict) -> None:
    for name in ("name", "slug", "timezone", "grace_minutes", "quota", "offer_confirmation_days"):
        getattr(form, name).data = doc[name]
    form.opens_at.data = to_local(doc["opens_at"], doc["timezone"])
    form.closes_at.data = to_local(doc["closes_at"], doc["timezone"])
    fill_langs(form, "description", doc["description"])


def parse_options(text: str) -> list[dict]:
    options = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        value, *labels = [part.strip() for part in line.split("|")]
        named = zip(LANGS, labels[:len(LANGS)], strict=False)
        options.append({"value": value, "label": {code: label for code, label in named if label}})
    return options


def format_options(options: list[dict]) -> str:
    return "\n".join(" | ".join([o["value"], *[(o.get("label") or {}).get(code, "") for code in LANGS]]).rstrip(" |")
                     for o in options)


def question_data(form, key: str) -> dict:
    return {"key": key, "type": form.type.data, "required": form.required.data,
            "shown_in_blind": form.shown_in_blind.data, "label": langs_of(form, "label"),
            "help_text": langs_of(form, "help"), "options": parse_options(form.options.data),
            "max_chars": form.max_chars.data, "max_words": form.max_words.data,
            "min_value": form.min_value.data or None, "max_value": form.max_value.data or None}


def fill_question(form, q: dict) -> None:
    form.key.data, form.type.data = q["key"], q["type"]
    form.required.data, form.shown_in_blind.data = q["required"], q["shown_in_blind"]
    fill_langs(form, "label", q["label"])
    fill_langs(form, "help", q["help_text"])
    form.options.data = format_options(q["options"])
    form.max_chars.data, form.max_words.data = q["max_chars"], q["max_words"]
    form.min_value.data = "" if q["min_value"] is None else format(q["min_value"].normalize(), "f")
    form.max_value.data = "" if q["max_value"] is None else format(q["max_value"].normalize(), "f")


def stage_data(form, tz_name: str, *, stage_id=None, position: int) -> tuple[dict, list]:
    """The stage item, and the criterion rows in the order of its criteria (to place errors)."""
    rows = [row for row in form.criteria
            if not row.remove.data and ((row.key.data or "").strip() or any(langs_of(row, "label").values()))]
    rows = [row for _, row in sorted(enumerate(rows),
                                     key=lambda p: (10**6 if p[1].order.data is None else p[1].order.data, p[0]))]
    criteria = [{"key": (row.key.data or "").strip(), "label": langs_of(row, "label"),
                 "description": langs_of(row, "description"), "weight": row.weight.data or None,
                 "scale_min": row.scale_min.data, "scale_max": row.scale_max.data,
                 "scale_labels": points_from_rows(row)} for row in rows]
    item = {"id": stage_id, "position": position, "name": langs_of(form, "name"),
            "reviews_required": form.reviews_required.data, "is_blind": form.is_blind.data,
            "review_deadline": to_aware(form.review_deadline.data, tz_name),
            "reviewers_see_others": form.reviewers_see_others.data,
            "disagreement_threshold": form.disagreement_threshold.data or None, "criteria": criteria}
    return item, rows


def fill_stage(form, stage: dict, tz_name: str) -> None:
    fill_langs(form, "name", stage["name"])
    form.reviews_required.data, form.is_blind.data = stage["reviews_required"], stage["is_blind"]
    form.review_deadline.data = to_local(stage["review_deadline"], tz_name)
    form.reviewers_see_others.data = stage["reviewers_see_others"]
    form.disagreement_threshold.data = str(stage["disagreement_threshold"])
    while len(form.criteria.entries):
        form.criteria.pop_entry()
    for position, c in enumerate(stage["criteria"] + [None], start=1):
        row = form.criteria.append_entry()
        row.order.data = position
        if c is None:
            row.weight.data, row.scale_min.data, row.scale_max.data = "1", 1, 5
            continue
        row.key.data, row.weight.data = c["key"], format(c["weight"].normalize(), "f")
        row.scale_min.data, row.scale_max.data = c["scale_min"], c["scale_max"]
        fill_langs(row, "label", c["label"])
        fill_langs(row, "description", c["description"])
        fill_points(row, c)


def _field(form, name: str):
    """`label.ru` -> label_ru; `label` -> label_en; `help_text` -> help_en; `options.3.value` -> options."""
    head, _, rest = name.partition(".")
    head = {"help_text": "help", "scale_labels": "points"}.get(head, head)
    if rest[:2] in LANGS and hasattr(form, f"{head}_{rest[:2]}"):
        return getattr(form, f"{head}_{rest[:2]}")
    if hasattr(form, f"{head}_en"):
        return getattr(form, f"{head}_en")
    field = getattr(form, head, None)
    return field if hasattr(field, "errors") else None


def place_errors(form, errors: dict, prefix: str = "", rows: list | None = None) -> list[str]:
    """Put each error on its field; return the messages that fit no field of this form."""
    rest = []
    for path, messages in errors.items():
        target = None
        if path.startswith(prefix):
            name = path[len(prefix):]
            head, _, tail = name.partition(".")
            if head == "criteria" and rows is not None and tail:
                index, _, sub = tail.partition(".")
                if index.isdigit() and int(index) < len(rows) and sub:
                    target = _field(rows[int(index)], sub)
            else:
                target = _field(form, name)
        if target is None:
            rest.extend(messages)
        else:
            target.errors = list(target.errors) + [str(m) for m in messages]
    return rest
