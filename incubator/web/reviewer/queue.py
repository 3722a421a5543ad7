"""Reviewer pages: my stages with progress, the queue of one stage ("12 of 45", filter, next
unreviewed, declare a conflict before opening), the review form (the application as the stage
allows, the rubric, feedback, private note, recommendation; save a draft or submit; read-only after
the deadline), and the files.

Every assignment is fetched through reviewer_queries (404 unless active, mine, and not conflicted);
what the page shows of the application comes from reviews.visibility (blind stages hide identity).
"""
from __future__ import annotations

import re

from flask import abort, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from incubator.core.errors import DomainError, NotFound, RuleViolation
from incubator.core.pagination import clamp
from incubator.extensions import db
from incubator.reviews import reviewer_queries as queries
from incubator.reviews.reviewing import record_review, rubric
from incubator.reviews.scoring import weighted_scale
from incubator.reviews.visibility import assignment_label, open_for_reviewer, reviewer_view
from incubator.startups import labels
from incubator.storage import send_download
from incubator.web.helpers import flash
from incubator.web.reviewer import bp

PER_PAGE = 50
SCORE_PREFIX = "score_"
_INT = re.compile(r"-?\d{1,9}")
FIVE_POINTS = (_l("Poor"), _l("Fair"), _l("Good"), _l("Very good"), _l("Excellent"))
RECOMMENDATION_LABELS = {
    "strong_yes": _l("Strong yes"), "yes": _l("Yes"), "maybe": _l("Maybe"), "no": _l("No"),
    "strong_no": _l("Strong no"),
}
FILTER_LABELS = {"all": _l("All"), "todo": _l("To do"), "draft": _l("Drafts"), "submitted": _l("Submitted")}


def scale_options(criterion: dict) -> list[tuple[int, str]]:
    """The radio buttons of one criterion: (value, label). The manager's words for the points come
    first; without them a five-point scale gets a generic word for each point, and any other scale
    names its two ends."""
    low, high = criterion["scale_min"], criterion["scale_max"]
    values = list(range(low, high + 1))
    own = criterion.get("scale_labels") or {}
    if own:
        return [(v, f"{v} · {own[str(v)]}" if own.get(str(v)) else str(v)) for v in values]
    if len(values) == len(FIVE_POINTS):
        return [(v, f"{v} · {word}") for v, word in zip(values, FIVE_POINTS, strict=True)]
    options = [(v, str(v)) for v in values]
    options[0] = (low, f"{low} · {_l('lowest')}")
    options[-1] = (high, f"{high} · {_l('highest')}")
    return options


@bp.get("/")
@login_required
def index():
    page, per_page = clamp(request.args.get("page"), request.args.get("per_page"), 25)
    stages = queries.stages_for(current_user, page, per_page)
    return render_template("reviewer/stage_list.html", stages=stages)


@bp.get("/stages/<id:stage_id>")
@login_required
def stage_queue(stage_id: int):
    stage = queries.stage_for_reviewer(current_user, stage_id)
    state = request.args.get("state") or "all"
    if state not in queries.FILTERS:
        state = "all"
    page, per_page = clamp(request.args.get("page"), request.args.get("per_page"), PER_PAGE)
    assignments = queries.assignment_page(current_user, stage, state=None if state == "all" else state, page=page,
                                          per_page=per_page)
    return render_template("reviewer/assignment_list.html", stage=stage, season=stage.season,
                           assignments=assignments, state=state, filters=FILTER_LABELS,
                           progress=queries.stage_progress(current_user, stage),
                           following=queries.next_unreviewed(current_user, stage),
                           label=assignment_label, recommendation_labels=RECOMMENDATION_LABELS)


def _posted_values(view: dict) -> dict:
    """The review as the no-JavaScript form posts it, in the service's terms: a score field holding
    a whole number is passed as an int, anything else as it came (the service says what is wrong)."""
    scores = {}
    for name in request.form:
        if name.startswith(SCORE_PREFIX):
            raw = (request.form.get(name) or "").strip()
            if raw:
                scores[name[len(SCORE_PREFIX):]] = int(raw) if _INT.fullmatch(raw) else raw
    return {"scores": scores, "recommendation": request.form.get("recommendation") or None,
            "feedback": request.form.get("feedback", ""), "private_note": request.form.get("private_note", ""),
            "submit": request.form.get("action") == "submit"}


def _render_form(assignment, *, values=None, errors=None, status: int = 200):
    view = reviewer_view(assignment)
    saved = view["review"] or {}
    values = values or {"scores": saved.get("scores", {}), "recommendation": saved.get("recommendation"),
                        "feedback": saved.get("feedback", ""), "private_note": saved.get("private_note", "")}
    errors = errors or {}
    known = {f"scores.{c['key']}" for c in view["criteria"]} | {"recommendation", "feedback", "private_note"}
    other_errors = [m for field, messages in errors.items() if field not in known for m in messages]
    return render_template(
        "reviewer/review_form.html", view=view, assignment=assignment, season=assignment.stage.season,
        values=values, errors=errors, other_errors=other_errors, scale_options=scale_options,
        scale=weighted_scale(rubric(assignment.stage)) if assignment.stage.criteria else None,
        recommendation_labels=RECOMMENDATION_LABELS, labels=labels,
        progress=queries.stage_progress(current_user, assignment.stage),
        following=queries.next_unreviewed(current_user, assignment.stage, after=assignment.id),
    ), status


@bp.route("/assignments/<id:assignment_id>", methods=["GET", "POST"])
@login_required
def review_form(assignment_id: int):
    assignment = queries.assignment_for_reviewer(current_user, assignment_id)
    if request.method == "GET":
        return _render_form(assignment)
    values = _posted_values(reviewer_view(assignment))
    try:
        record_review(assignment, actor=current_user, **values)
        db.session.commit()
    except RuleViolation as exc:
        db.session.rollback()
        assignment = queries.assignment_for_reviewer(current_user, assignment_id)
        flash(_l("The review was not saved: see the marked fields."), "danger")
        return _render_form(assignment, values=values, errors=exc.errors, status=422)
    except DomainError as exc:
        db.session.rollback()
        assignment = queries.assignment_for_reviewer(current_user, assignment_id)
        flash(exc.message, "danger")
        return _render_form(assignment, status=exc.status)
    if not values["submit"]:
        flash(_l("Your draft is saved. You can change it until the review deadline."), "success")
        return redirect(url_for("reviewer.review_form", assignment_id=assignment_id))
    flash(_l("Your review is submitted. You can still change it until the review deadline."), "success")
    following = queries.next_unreviewed(current_user, assignment.stage, after=assignment_id)
    if following is not None:
        return redirect(url_for("reviewer.review_form", assignment_id=following.id))
    return redirect(url_for("reviewer.stage_queue", stage_id=assignment.stage_id))


@bp.post("/assignments/<id:assignment_id>/conflict")
@login_required
def declare_conflict(assignment_id: int):
    """Declare a conflict of interest (with a reason for the managers): the assignment is released
    and the application leaves my queue."""
    from incubator.reviews.conflicts import declare_conflict as declare

    assignment = queries.assignment_for_reviewer(current_user, assignment_id)
    stage = assignment.stage
    back = request.form.get("back") == "form"
    reason = (request.form.get("reason") or "").strip()
    if not reason:
        flash(_l("Say briefly why you are conflicted (only the program's managers read it)."), "warning")
        return redirect(url_for("reviewer.review_form", assignment_id=assignment_id) if back
                        else url_for("reviewer.stage_queue", stage_id=stage.id))
    try:
        declare(assignment, actor=current_user, reason=reason[:2000])
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
        return redirect(url_for("reviewer.stage_queue", stage_id=stage.id))
    flash(_l("Conflict declared. The application is no longer in your queue; the program will re-assign it."),
          "info")
    if queries.stage_progress(current_user, stage).total:
        return redirect(url_for("reviewer.stage_queue", stage_id=stage.id))
    return redirect(url_for("reviewer.index"))


@bp.get("/assignments/<id:assignment_id>/files/<id:attachment_id>")
@login_required
def download(assignment_id: int, attachment_id: int):
    """A file of the application, as an attachment: under a neutral name in a blind stage, and only
    the files that stage shows."""
    assignment = queries.assignment_for_reviewer(current_user, assignment_id)
    stream, name, mime, attachment = open_for_reviewer(assignment, attachment_id)
    return send_download(stream, download_name=name, mimetype=mime, etag=attachment.sha256, size=attachment.size)


@bp.get("/assignments/<id:assignment_id>/logo")
@login_required
def logo(assignment_id: int):
    """The startup's logo, in an open stage only (a blind stage hides it: 404)."""
    from incubator.startups.logo import IMAGE_TYPES, Logo, logo_version, send_logo
    from incubator.storage import get_storage

    assignment = queries.assignment_for_reviewer(current_user, assignment_id)
    startup = assignment.application.startup
    if assignment.stage.is_blind or not startup.logo_key or startup.logo_content_type not in IMAGE_TYPES:
        abort(404)
    try:
        stream = get_storage().open(startup.logo_key)
    except FileNotFoundError:
        raise NotFound() from None
    return send_logo(Logo(stream, startup.logo_content_type, IMAGE_TYPES[startup.logo_content_type],
                          logo_version(startup)))
