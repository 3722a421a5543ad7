"""Manager pages: decisions. A season's overview (start the review, where the applications are, the
seats), and a stage's decisions page: its applications in leaderboard order with checkboxes, or the
top N, one decision with a reason, and an explicit confirmation to go over the quota."""
from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask_babel import get_locale, ngettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from incubator.applications.deadlines import deadline_text, hard_deadline
from incubator.applications.models import Application
from incubator.applications.states import Status
from incubator.core.errors import Conflict, DomainError, RuleViolation
from incubator.core.pagination import Page, clamp
from incubator.core.timeutil import utcnow
from incubator.extensions import db
from incubator.programs.models import SeasonStatus
from incubator.programs.queries import season_for_manager, stage_for_manager
from incubator.selection import decisions
from incubator.selection.leaderboard import FLAG_LABELS, fmt_score
from incubator.selection.decisions import DECISION_LABELS, Decision, DecisionRequest, DecisionsRefused, QuotaExceeded
from incubator.selection.models import Offer, OfferStatus, WaitlistEntry
from incubator.selection.offers import seats_taken
from incubator.selection.waitlist import ranked_rows
from incubator.web.helpers import flash
from incubator.web.manager import bp

PER_PAGE = 50


# --- The season ---------------------------------------------------------------------------------

@bp.get("/seasons/<id:season_id>/decisions")
@login_required
def season_decisions(season_id: int):
    season = season_for_manager(current_user, season_id)
    counts = decisions.stage_counts(season)
    offer_counts = dict(db.session.execute(
        select(Offer.status, func.count()).where(Offer.season_id == season.id).group_by(Offer.status)).all())
    waiting = sum(n for (_, status), n in counts.items() if status == str(Status.SUBMITTED))
    return render_template(
        "manager/decisions_season.html", season=season, stages=sorted(season.stages, key=lambda s: s.position),
        counts=counts, submitted=waiting, offer_counts={str(k): v for k, v in offer_counts.items()},
        seats=seats_taken(season.id), window_open=season.status == SeasonStatus.OPEN and utcnow() <= hard_deadline(season),
        drafts=sum(n for (_, status), n in counts.items() if status == str(Status.DRAFT)),
        deadline=deadline_text(season, getattr(current_user, "timezone", None)), Status=Status, OfferStatus=OfferStatus)


@bp.post("/seasons/<id:season_id>/start-review")
@login_required
def start_review(season_id: int):
    season = season_for_manager(current_user, season_id)
    try:
        moved = decisions.start_review(season, actor=current_user,
                                       close_applications_now=request.form.get("close_applications_now") == "yes")
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
    else:
        flash(ngettext("%(num)d application is now in review at the first stage.",
                       "%(num)d applications are now in review at the first stage.", moved), "success")
    return redirect(url_for("manager.season_decisions", season_id=season_id))


# --- A stage --------------------------------------------------------------------------------------

def _stage_page(stage, *, errors=None, message=None, over_quota=None, chosen=(), form=None, status=200):
    season = stage.season
    candidates = dict(db.session.execute(
        decisions.stage_candidates(stage).with_only_columns(Application.id, Application.status)).all())
    rows = ranked_rows(stage, candidates)
    page_n, per_page = clamp(request.args.get("page"), request.args.get("per_page"), PER_PAGE)
    visible = rows[(page_n - 1) * per_page: page_n * per_page]
    ids = [row.application_id for row in visible]
    applications = {a.id: a for a in db.session.scalars(
        select(Application).where(Application.id.in_(ids)).options(selectinload(Application.startup)))} if ids else {}
    ranks = dict(db.session.execute(select(WaitlistEntry.application_id, WaitlistEntry.rank)
                                    .where(WaitlistEntry.application_id.in_(ids))).all()) if ids else {}
    places = {row.application_id: place for place, row in enumerate(rows, start=1)}
    page = Page(items=[(row, applications[row.application_id]) for row in visible if row.application_id in applications],
                page=page_n, per_page=per_page, total=len(rows))
    following = decisions.next_stage(stage)
    return render_template(
        "manager/decisions_stage.html", stage=stage, season=season, page=page, places=places, ranks=ranks,
        following=following, seats=seats_taken(season.id), errors=errors or {}, message=message,
        over_quota=over_quota, chosen={int(i) for i in chosen}, form=form or {}, decisions=list(Decision),
        labels=DECISION_LABELS, flag_labels=FLAG_LABELS, fmt_score=fmt_score, closed=season.status == SeasonStatus.CLOSED,
        in_review=sum(1 for s in candidates.values() if s == Status.IN_REVIEW),
        waitlisted=sum(1 for s in candidates.values() if s == Status.WAITLISTED),
        stage_name=stage.name_in(str(get_locale()))), status


def _chosen_ids() -> list[int]:
    ids = []
    for value in request.form.getlist("application_id"):
        try:
            number = int(value)
        except ValueError:
            continue
        if 1 <= number <= 2**31 - 1 and number not in ids:
            ids.append(number)
    return ids


@bp.get("/stages/<id:stage_id>/decisions")
@login_required
def stage_decisions(stage_id: int):
    return _stage_page(stage_for_manager(current_user, stage_id))


@bp.post("/stages/<id:stage_id>/decisions")
@login_required
def decide(stage_id: int):
    stage = stage_for_manager(current_user, stage_id)
    form = {"decision": request.form.get("decision", ""), "reason": (request.form.get("reason") or "")[:2000],
            "top": (request.form.get("top") or "").strip()[:6], "mode": request.form.get("mode", "selected")}
    chosen = _chosen_ids()
    confirm = request.form.get("confirm_over_quota") == "yes"
    try:
        if form["decision"] not in {d.value for d in Decision}:
            raise RuleViolation("decision", _l("Choose a decision: advance, reject or waitlist."))
        decision = Decision(form["decision"])
        if form["mode"] == "top":
            try:
                top = int(form["top"])
            except ValueError:
                raise RuleViolation("top", _l("Give the number of top applications to decide.")) from None
            outcomes = decisions.decide_top(stage, top, decision, actor=current_user, reason=form["reason"],
                                            confirm_over_quota=confirm)
        else:
            outcomes = decisions.decide_applications(
                stage, [DecisionRequest(i, decision) for i in chosen], actor=current_user, reason=form["reason"],
                confirm_over_quota=confirm)
        db.session.commit()
    except QuotaExceeded as exc:
        db.session.rollback()
        return _stage_page(stage, message=exc.message, over_quota=exc, chosen=chosen, form=form, status=409)
    except DecisionsRefused as exc:
        db.session.rollback()
        return _stage_page(stage, message=exc.message, errors=exc.errors, chosen=chosen, form=form, status=409)
    except RuleViolation as exc:
        db.session.rollback()
        message = " ".join(str(m) for messages in exc.errors.values() for m in messages) or exc.message
        return _stage_page(stage, message=message, chosen=chosen, form=form, status=422)
    except Conflict as exc:
        db.session.rollback()
        return _stage_page(stage, message=exc.message, chosen=chosen, form=form, status=409)
    flash(_summary(outcomes), "success")
    return redirect(url_for("manager.stage_decisions", stage_id=stage_id))


def _summary(outcomes) -> str:
    accepted = sum(1 for o in outcomes if o.to_status == Status.ACCEPTED)
    advanced = sum(1 for o in outcomes if o.to_status == Status.IN_REVIEW)
    rejected = sum(1 for o in outcomes if o.to_status == Status.REJECTED)
    waitlisted = sum(1 for o in outcomes if o.to_status == Status.WAITLISTED)
    return str(_l("Done: %(advanced)d advanced, %(accepted)d accepted with an offer, %(rejected)d rejected, "
                  "%(waitlisted)d waitlisted.", advanced=advanced, accepted=accepted, rejected=rejected,
                  waitlisted=waitlisted))
