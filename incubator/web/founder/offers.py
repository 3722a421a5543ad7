"""The founder's offer: see it with its deadline (in the season's and the founder's time zone), and
confirm or decline it, each with a confirmation step."""
from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from incubator.applications.queries import application_for_founder
from incubator.core.errors import DomainError, NotFound
from incubator.core.i18n import format_in_zone
from incubator.core.timeutil import utcnow
from incubator.extensions import db
from incubator.selection import offers
from incubator.selection.models import OfferStatus
from incubator.web.founder import bp
from incubator.web.helpers import flash

ACTIONS = ("confirm", "decline")


def _page(application, offer, *, message=None, status=200):
    season = application.season
    return render_template(
        "founder/offer.html", application=application, season=season, offer=offer,
        deadline_season=format_in_zone(offer.deadline_at, season.timezone),
        deadline_mine=(format_in_zone(offer.deadline_at, current_user.timezone)
                       if current_user.timezone != season.timezone else None),
        is_open=offer.status == OfferStatus.OPEN, past_deadline=utcnow() > offer.deadline_at,
        message=message), status


@bp.route("/applications/<id:application_id>/offer", methods=["GET", "POST"])
@login_required
def offer(application_id: int):
    application = application_for_founder(current_user, application_id)
    found = offers.offer_for(application)
    if found is None:
        raise NotFound(_l("There is no offer for this application."))
    if request.method == "GET":
        return _page(application, found)
    action = request.form.get("action")
    if action not in ACTIONS:
        flash(_l("Choose to confirm or to decline the offer."), "warning")
        return _page(application, found, status=422)
    if request.form.get(f"sure_{action}") != "yes":
        flash(_l("Tick the box to confirm your answer."), "warning")
        return _page(application, found, status=422)
    try:
        if action == "confirm":
            offers.confirm_offer(application, actor=current_user)
        else:
            offers.decline_offer(application, actor=current_user, reason=request.form.get("reason", ""))
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        application = application_for_founder(current_user, application_id)
        return _page(application, offers.offer_for(application), message=exc.message, status=exc.status)
    if action == "confirm":
        flash(_l("Your place is confirmed. Welcome to the program!"), "success")
    else:
        flash(_l("You have declined the offer. Thank you for letting us know."), "info")
    return redirect(url_for("founder.offer", application_id=application_id))
