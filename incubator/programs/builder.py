"""The season builder (managers): a season as one nested document — window, time zone, grace,
quota, offer confirmation, questions, stages and their rubrics — created, changed, copied, and moved
draft -> open -> reviewing -> decided. The pages and the API both call these services; the rules
live in builder_validators (the document) and builder_stored (what stored data forbids).

Matching: questions by key, criteria by key within their stage, stages by id when given, else by
position. The order of the questions and criteria is the order of their lists; stages are ordered by
their position and renumbered 1..n. Anything left out is removed, where the stored data allows."""
from __future__ import annotations

import re
import unicodedata

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.orm.attributes import set_committed_value

from incubator.accounts.policies import can_manage_program
from incubator.core.errors import Conflict, NotAllowed, RuleViolation
from incubator.extensions import db
from incubator.programs.builder_stored import (
    validate_editable, validate_question_changes, validate_slug_free, validate_stage_changes, validate_status_change,
)
from incubator.programs.builder_validators import Errors, clean_season_document, parse_moment
from incubator.programs.models import Criterion, Question, Season, SeasonStatus, Stage

SETTINGS = ("name", "slug", "description", "opens_at", "closes_at", "timezone", "grace_minutes", "quota",
            "offer_confirmation_days")
DOCUMENT_KEYS = frozenset(SETTINGS + ("questions", "stages", "status"))
QUESTION_FIELDS = ("type", "required", "shown_in_blind", "label", "help_text", "options", "max_chars",
                   "max_words", "min_value", "max_value")
STAGE_FIELDS = ("name", "reviews_required", "is_blind", "review_deadline", "reviewers_see_others",
                "disagreement_threshold")
CRITERION_FIELDS = ("label", "description", "weight", "scale_min", "scale_max", "scale_labels")


# ------------------------------------------------------------------ the document
def question_document(q: Question) -> dict:
    return {"key": q.key, "position": q.position, "type": q.type.value if q.type else None, "required": q.required,
            "label": dict(q.label or {}), "help_text": dict(q.help_text or {}),
            "options": [{"value": str(o.get("value")), "label": dict(o.get("label") or {})} for o in q.options or []],
            "max_chars": q.max_chars, "max_words": q.max_words, "min_value": q.min_value, "max_value": q.max_value,
            "shown_in_blind": q.shown_in_blind}


def criterion_document(c: Criterion) -> dict:
    return {"key": c.key, "position": c.position, "label": dict(c.label or {}),
            "description": dict(c.description or {}), "weight": c.weight, "scale_min": c.scale_min,
            "scale_max": c.scale_max, "scale_labels": {k: dict(v) for k, v in (c.scale_labels or {}).items()}}


def stage_document(s: Stage) -> dict:
    return {"id": s.id, "position": s.position, "name": dict(s.name or {}), "reviews_required": s.reviews_required,
            "is_blind": s.is_blind, "review_deadline": s.review_deadline,
            "reviewers_see_others": s.reviewers_see_others, "disagreement_threshold": s.disagreement_threshold,
            "criteria": [criterion_document(c) for c in s.criteria]}


def season_document(season: Season) -> dict:
    """The season as the builder takes it (what a PATCH is merged into, what the pages edit)."""
    return {"name": season.name, "slug": season.slug, "description": dict(season.description or {}),
            "opens_at": season.opens_at, "closes_at": season.closes_at, "timezone": season.timezone,
            "grace_minutes": season.grace_minutes, "quota": season.quota,
            "offer_confirmation_days": season.offer_confirmation_days,
            "status": SeasonStatus(season.status).value,
            "questions": [question_document(q) for q in season.questions],
            "stages": [stage_document(s) for s in season.stages]}


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")[:80].strip("-")


def _ensure_manager(actor, program) -> None:
    if not can_manage_program(actor, program):
        raise NotAllowed()


def _status(value) -> SeasonStatus:
    if isinstance(value, str) and value in set(SeasonStatus):
        return SeasonStatus(value)
    raise RuleViolation("status", _l("Choose a status: %(names)s.", names=", ".join(s.value for s in SeasonStatus)))


def _combine(*checks) -> None:
    """Run every check; raise one RuleViolation naming all the fields they refused."""
    errors = Errors()
    for check in checks:
        try:
            check()
        except RuleViolation as exc:
            for field, messages in exc.errors.items():
                for message in messages:
                    errors.add(field, message)
    errors.raise_if_any()


# ------------------------------------------------------------------ applying a clean document
def _apply_settings(season: Season, clean: dict) -> None:
    for name in SETTINGS:
        setattr(season, name, clean[name])


def _apply_questions(season: Season, questions: list[dict]) -> None:
    existing = {q.key: q for q in season.questions}
    rows = []
    for position, item in enumerate(questions, start=1):
        row = existing.get(item["key"]) or Question(key=item["key"])
        for name in QUESTION_FIELDS:
            setattr(row, name, item[name])
        row.position = position
        rows.append(row)
    season.questions = rows  # the ones left out are orphans: deleted (their empty answers cascade)


def _apply_criteria(stage: Stage, criteria: list[dict]) -> None:
    existing = {c.key: c for c in stage.criteria}
    rows = []
    for position, item in enumerate(criteria, start=1):
        row = existing.get(item["key"]) or Criterion(key=item["key"])
        for name in CRITERION_FIELDS:
            setattr(row, name, item[name])
        row.position = position
        rows.append(row)
    stage.criteria = rows


def _match_stages(season: Season, stages: list[dict]) -> dict[int, int]:
    """Stored stage id -> index in the (ordered) clean list: by id when given, else by position."""
    by_id = {s.id: s for s in season.stages}
    by_position = {s.position: s for s in season.stages}
    matched: dict[int, int] = {}
    errors = Errors()
    for k, item in enumerate(stages):
        if item["id"] is None:
            continue
        if item["id"] not in by_id:
            errors.add(f"stages.{item['_index']}.id", _l("There is no such stage in this season."))
        else:
            matched[item["id"]] = k
    errors.raise_if_any()
    for k, item in enumerate(stages):
        old = by_position.get(item["position"]) if item["id"] is None else None
        if old is not None and old.id not in matched:
            matched[old.id] = k
            item["id"] = old.id
    return matched


def _apply_stages(season: Season, stages: list[dict], matched: dict[int, int]) -> None:
    by_id = {s.id: s for s in season.stages}
    kept = {k: by_id[sid] for sid, k in matched.items()}
    # Park the kept stages on free (negative) positions and delete the removed ones first, so that
    # the unique (season, position) holds at every statement while the stages are renumbered.
    for stage in kept.values():
        stage.position = -stage.id
    season.stages = list(kept.values())
    db.session.flush()
    rows = []
    for k, item in enumerate(stages):
        row = kept.get(k) or Stage()
        for name in STAGE_FIELDS:
            setattr(row, name, item[name])
        row.position = k + 1
        _apply_criteria(row, item["criteria"])
        rows.append(row)
    season.stages = rows


# ------------------------------------------------------------------ services
def create_season(program, *, actor, data: dict) -> Season:
    """A new season of the program from a whole document (name, window, ... questions, stages).
    It starts as a draft; `status: "open"` opens it at once when it may open."""
    _ensure_manager(actor, program)
    data = {k: v for k, v in (data or {}).items() if k in DOCUMENT_KEYS}
    if not data.get("slug") and isinstance(data.get("name"), str):
        data["slug"] = slugify(data["name"])
    status = _status(data.pop("status", SeasonStatus.DRAFT.value))
    clean = clean_season_document(data)
    checks = [lambda: validate_slug_free(program, clean["slug"])]
    if any(item["id"] is not None for item in clean["stages"]):
        def no_ids():
            errors = Errors()
            for item in clean["stages"]:
                if item["id"] is not None:
                    errors.add(f"stages.{item['_index']}.id", _l("There is no such stage in this season."))
            errors.raise_if_any()
        checks.append(no_ids)
    _combine(*checks)
    season = Season(program_id=program.id, status=SeasonStatus.DRAFT)
    _apply_settings(season, clean)
    db.session.add(season)
    _apply_questions(season, clean["questions"])
    _apply_stages(season, clean["stages"], {})
    db.session.flush()
    if status != SeasonStatus.DRAFT:
        change_season_status(season, actor=actor, status=status)
    return season


def update_season(season: Season, *, actor, data: dict) -> Season:
    """Change the keys given, nothing else: a given `questions` or `stages` list replaces the whole
    list (each item whole: what an item leaves out takes its default). The result is checked as a whole."""
    _ensure_manager(actor, season.program)
    validate_editable(season)
    data = {k: v for k, v in (data or {}).items() if k in DOCUMENT_KEYS}
    merged = season_document(season)
    merged.pop("status")
    merged.update({k: v for k, v in data.items() if k != "status"})
    clean = clean_season_document(merged)
    checks = []
    if clean["slug"] != season.slug:
        checks.append(lambda: validate_slug_free(season.program, clean["slug"], season))
    if "questions" in data:
        checks.append(lambda: validate_question_changes(season, clean["questions"]))
    matched: dict[int, int] = {}
    if "stages" in data:
        matched = _match_stages(season, clean["stages"])
        checks.append(lambda: validate_stage_changes(season, clean["stages"], matched))
    _combine(*checks)
    _apply_settings(season, clean)
    if "questions" in data:
        _apply_questions(season, clean["questions"])
    if "stages" in data:
        _apply_stages(season, clean["stages"], matched)
    db.session.flush()
    if "status" in data:
        change_season_status(season, actor=actor, status=data["status"])
    return season


def change_season_status(season: Season, *, actor, status) -> Season:
    """draft -> open -> reviewing -> decided (and open -> draft while nobody applied). The row is
    claimed with a conditional UPDATE: of two managers moving it at once, one is told it changed.
    Going to reviewing is selection.decisions.start_review: once the window has closed, the submitted
    applications go into review at the first stage."""
    from incubator.applications.models import Application

    _ensure_manager(actor, season.program)
    validate_editable(season)
    to = _status(status.value if isinstance(status, SeasonStatus) else status)
    count = 0
    if to == SeasonStatus.DRAFT and season.status != SeasonStatus.DRAFT:
        count = db.session.scalar(select(func.count()).select_from(Application)
                                  .where(Application.season_id == season.id)) or 0
    validate_status_change(season, to, application_count=count)
    if to == season.status:
        return season
    if to == SeasonStatus.REVIEWING:
        # One way into review: the submitted applications move to the first stage with the season
        # (refused while the window, with its grace, is still open).
        from incubator.selection.decisions import start_review

        start_review(season, actor=actor)
        return season
    db.session.flush()
    claimed = db.session.execute(
        update(Season).where(Season.id == season.id, Season.status == season.status).values(status=to)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        raise Conflict(_l("Someone else changed this season's status just now: reload and try again."),
                       code="lost_race")
    set_committed_value(season, "status", to)
    return season


def copy_season(source: Season, *, actor, name: str, slug: str | None = None, opens_at, closes_at) -> Season:
    """A new draft season of the same program with the source's settings, questions, stages and
    rubrics (never its applications). Review deadlines move by as much as the closing time does."""
    _ensure_manager(actor, source.program)
    errors = Errors()
    new_open = parse_moment(opens_at, "opens_at", errors)
    new_close = parse_moment(closes_at, "closes_at", errors)
    errors.raise_if_any()
    shift = new_close - source.closes_at
    doc = season_document(source)
    doc.pop("status")
    for stage in doc["stages"]:
        stage["id"] = None
        if stage["review_deadline"] is not None:
            stage["review_deadline"] = stage["review_deadline"] + shift
    doc.update(name=name, slug=slug or "", opens_at=new_open, closes_at=new_close)
    return create_season(source.program, actor=actor, data=doc)
