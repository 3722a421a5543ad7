"""Manager pages: a season's questions and stages, one sub-form each, usable without JavaScript.

Every change is made on the season's whole document and saved through builder.update_season, so the
pages keep the same rules as the API (an answered question cannot be removed or retyped; a stage
with work at it stays; weights above 0; deadlines after the close)."""
from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from incubator.core.errors import DomainError, RuleViolation
from incubator.extensions import db
from incubator.programs import builder
from incubator.programs.builder_stored import answered_question_ids
from incubator.programs.queries import season_for_manager
from incubator.web.helpers import flash
from incubator.web.manager import bp
from incubator.web.manager.season_forms import (
    TYPE_LABELS, QuestionForm, StageForm, fill_question, fill_stage, place_errors, question_data, stage_data,
)

NEW_STAGE_ROWS = 3


def _save(season, data: dict, *, form=None, prefix: str = "", rows=None) -> bool:
    """Save a change of the document; on refusal, errors go on the form's fields (or are flashed)."""
    try:
        builder.update_season(season, actor=current_user, data=data)
        db.session.commit()
        return True
    except DomainError as exc:
        db.session.rollback()
        if isinstance(exc, RuleViolation):
            rest = place_errors(form, exc.errors, prefix, rows) if form is not None else \
                [m for ms in exc.errors.values() for m in ms]
            for message in rest:
                flash(message, "danger")
        else:
            flash(exc.message, "danger")
        return False


def _back(season_id: int, anchor: str):
    return redirect(url_for("manager.season_edit", season_id=season_id, _anchor=anchor))


def _question_index(questions: list[dict], key: str) -> int:
    index = next((i for i, q in enumerate(questions) if q["key"] == key), None)
    if index is None:
        abort(404)
    return index


# ------------------------------------------------------------------ questions
def _question_page(season, form, *, key=None, status=200):
    answered = False
    if key is not None:
        question = next((q for q in season.questions if q.key == key), None)
        answered = question is not None and question.id in answered_question_ids([question.id])
    return render_template("manager/season_question_form.html", season=season, form=form, key=key,
                           answered=answered, TYPE_LABELS=TYPE_LABELS), status


@bp.route("/seasons/<id:season_id>/questions/new", methods=["GET", "POST"])
@login_required
def season_question_new(season_id: int):
    season = season_for_manager(current_user, season_id)
    form = QuestionForm()
    if form.validate_on_submit():
        questions = builder.season_document(season)["questions"]
        key = (form.key.data or "").strip()
        if _save(season, {"questions": questions + [question_data(form, key)]}, form=form,
                 prefix=f"questions.{len(questions)}."):
            flash(_l("The question is added."), "success")
            return _back(season_id, "questions")
        season = season_for_manager(current_user, season_id)
    elif request.method == "GET":
        form.shown_in_blind.data = True
    return _question_page(season, form, status=422 if request.method == "POST" else 200)


@bp.route("/seasons/<id:season_id>/questions/<key>", methods=["GET", "POST"])
@login_required
def season_question_edit(season_id: int, key: str):
    season = season_for_manager(current_user, season_id)
    questions = builder.season_document(season)["questions"]
    index = _question_index(questions, key)
    form = QuestionForm()
    if request.method == "POST":
        form.key.data = key  # the key names the question: it is never changed here
        if form.validate_on_submit():
            questions[index] = question_data(form, key)
            if _save(season, {"questions": questions}, form=form, prefix=f"questions.{index}."):
                flash(_l("The question is saved."), "success")
                return _back(season_id, "questions")
            season = season_for_manager(current_user, season_id)
        return _question_page(season, form, key=key, status=422)
    fill_question(form, questions[index])
    return _question_page(season, form, key=key)


@bp.post("/seasons/<id:season_id>/questions/<key>/move")
@login_required
def season_question_move(season_id: int, key: str):
    season = season_for_manager(current_user, season_id)
    questions = builder.season_document(season)["questions"]
    index = _question_index(questions, key)
    other = index - 1 if request.form.get("direction") == "up" else index + 1
    if 0 <= other < len(questions):
        questions[index], questions[other] = questions[other], questions[index]
        if _save(season, {"questions": questions}):
            flash(_l("The order of the questions is saved."), "success")
    return _back(season_id, "questions")


@bp.post("/seasons/<id:season_id>/questions/<key>/remove")
@login_required
def season_question_remove(season_id: int, key: str):
    season = season_for_manager(current_user, season_id)
    questions = builder.season_document(season)["questions"]
    questions.pop(_question_index(questions, key))
    if _save(season, {"questions": questions}):
        flash(_l("The question “%(key)s” is removed.", key=key), "success")
    return _back(season_id, "questions")


# ------------------------------------------------------------------ stages
def _stage_index(stages: list[dict], stage_id: int) -> int:
    index = next((i for i, s in enumerate(stages) if s["id"] == stage_id), None)
    if index is None:
        abort(404)
    return index


def _stage_page(season, form, *, stage=None, status=200):
    return render_template("manager/season_stage_form.html", season=season, form=form, stage=stage), status


@bp.route("/seasons/<id:season_id>/stages/new", methods=["GET", "POST"])
@login_required
def season_stage_new(season_id: int):
    season = season_for_manager(current_user, season_id)
    form = StageForm()
    if request.method == "POST":
        if form.validate_on_submit():
            stages = builder.season_document(season)["stages"]
            position = max([s["position"] for s in stages] + [0]) + 1
            item, rows = stage_data(form, season.timezone, position=position)
            if _save(season, {"stages": stages + [item]}, form=form, prefix=f"stages.{len(stages)}.", rows=rows):
                flash(_l("The stage is added."), "success")
                return _back(season_id, "stages")
            season = season_for_manager(current_user, season_id)
        return _stage_page(season, form, status=422)
    fill_stage(form, {"name": {}, "reviews_required": 2, "is_blind": False, "review_deadline": None,
                      "reviewers_see_others": False, "disagreement_threshold": "1.00", "criteria": []},
               season.timezone)
    for _ in range(NEW_STAGE_ROWS - 1):
        row = form.criteria.append_entry()
        row.weight.data, row.scale_min.data, row.scale_max.data = "1", 1, 5
        row.order.data = len(form.criteria.entries)
    return _stage_page(season, form)


@bp.route("/seasons/<id:season_id>/stages/<id:stage_id>", methods=["GET", "POST"])
@login_required
def season_stage_edit(season_id: int, stage_id: int):
    season = season_for_manager(current_user, season_id)
    stages = builder.season_document(season)["stages"]
    index = _stage_index(stages, stage_id)
    form = StageForm()
    if request.method == "POST":
        if form.validate_on_submit():
            item, rows = stage_data(form, season.timezone, stage_id=stage_id, position=stages[index]["position"])
            stages[index] = item
            if _save(season, {"stages": stages}, form=form, prefix=f"stages.{index}.", rows=rows):
                flash(_l("The stage is saved."), "success")
                return _back(season_id, "stages")
            season = season_for_manager(current_user, season_id)
        return _stage_page(season, form, stage=stages[index], status=422)
    fill_stage(form, stages[index], season.timezone)
    return _stage_page(season, form, stage=stages[index])


@bp.post("/seasons/<id:season_id>/stages/<id:stage_id>/move")
@login_required
def season_stage_move(season_id: int, stage_id: int):
    season = season_for_manager(current_user, season_id)
    stages = builder.season_document(season)["stages"]
    index = _stage_index(stages, stage_id)
    other = index - 1 if request.form.get("direction") == "up" else index + 1
    if 0 <= other < len(stages):
        stages[index], stages[other] = stages[other], stages[index]
        for position, stage in enumerate(stages, start=1):
            stage["position"] = position
        if _save(season, {"stages": stages}):
            flash(_l("The order of the stages is saved."), "success")
    return _back(season_id, "stages")


@bp.post("/seasons/<id:season_id>/stages/<id:stage_id>/remove")
@login_required
def season_stage_remove(season_id: int, stage_id: int):
    season = season_for_manager(current_user, season_id)
    stages = builder.season_document(season)["stages"]
    stages.pop(_stage_index(stages, stage_id))
    if _save(season, {"stages": stages}):
        flash(_l("The stage is removed."), "success")
    return _back(season_id, "stages")
