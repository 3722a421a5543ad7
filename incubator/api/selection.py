"""API: selection. The manager starts the review and decides at a stage (bulk, all or nothing); the
founder reads, confirms or declines an offer."""
from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields, pre_load, validate, validates_schema

from incubator.api.auth import auth_required, current_api_user
from incubator.api.schemas import Text
from incubator.applications.queries import application_for_founder
from incubator.applications.states import Status
from incubator.core.converters import MAX_ID
from incubator.core.errors import NotFound
from incubator.extensions import db
from incubator.programs import queries as program_queries
from incubator.selection import decisions, offers
from incubator.selection.decisions import Decision, DecisionRequest
from incubator.selection.models import OfferStatus

blp = Blueprint("api_selection", __name__, description="Selection: decisions at a stage, offers and the waitlist")
SECURITY = [{"bearerAuth": []}]
DECISIONS = [d.value for d in Decision]


class DecisionItemIn(Schema):
    application_id = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=MAX_ID))
    decision = fields.String(required=True, validate=validate.OneOf(DECISIONS))
    reason = Text(load_default="", validate=validate.Length(max=2000),
                  metadata={"description": "Why, for this application (defaults to the shared reason)"})


class DecisionsIn(Schema):
    """Either `items`, or `top` with `decision`. A bare JSON array of items is accepted too."""

    items = fields.List(fields.Nested(DecisionItemIn), validate=validate.Length(min=1, max=decisions.MAX_BATCH),
                        metadata={"description": "The decisions, one per application"})
    top = fields.Integer(strict=True, validate=validate.Range(min=1, max=decisions.MAX_BATCH),
                         metadata={"description": "Decide the best N in review at this stage (normalised score)"})
    decision = fields.String(validate=validate.OneOf(DECISIONS), metadata={"description": "The decision for `top`"})
    reason = Text(load_default="", validate=validate.Length(max=2000), metadata={"description": "Why (on the timeline)"})
    confirm_over_quota = fields.Boolean(load_default=False,
                                        metadata={"description": "Accept even beyond the season's quota"})

    @pre_load
    def _bare_list(self, data, **kwargs):
        return {"items": data} if isinstance(data, list) else data

    @validates_schema
    def _one_way(self, data, **kwargs):
        if "top" in data:
            if "items" in data:
                raise ValidationError("Send either items or top, not both.", "top")
            if "decision" not in data:
                raise ValidationError("Say which decision to make for the top applications.", "decision")
        elif "items" not in data:
            raise ValidationError("Send the decisions as items, or top with a decision.", "items")


class OfferOut(Schema):
    id = fields.Integer(required=True)
    application_id = fields.Integer(required=True)
    season_id = fields.Integer(required=True)
    status = fields.String(required=True, validate=validate.OneOf([s.value for s in OfferStatus]))
    deadline_at = fields.DateTime(required=True)
    deadline = fields.String(metadata={"description": "The deadline in the season's time zone, for people"})
    responded_at = fields.DateTime(allow_none=True)
    promoted_from_waitlist = fields.Boolean()
    created_at = fields.DateTime()


class OutcomeOut(Schema):
    application_id = fields.Integer(required=True)
    decision = fields.String(required=True, validate=validate.OneOf(DECISIONS))
    from_status = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf([s.value for s in Status]))
    current_stage_id = fields.Integer(allow_none=True)
    waitlist_rank = fields.Float(allow_none=True)
    offer = fields.Nested(OfferOut, allow_none=True)


def offer_view(offer, season) -> dict:
    """The offer as plain values, read before the commit expires the rows (no query per offer after)."""
    return {"id": offer.id, "application_id": offer.application_id, "season_id": offer.season_id,
            "status": str(offer.status), "deadline_at": offer.deadline_at,
            "deadline": offers.deadline_text(offer, season), "responded_at": offer.responded_at,
            "promoted_from_waitlist": offer.promoted_from_waitlist, "created_at": offer.created_at}


def outcome_view(outcome, season) -> dict:
    return {"application_id": outcome.application_id, "decision": str(outcome.decision),
            "from_status": str(outcome.from_status), "status": str(outcome.to_status),
            "current_stage_id": outcome.to_stage_id, "waitlist_rank": outcome.waitlist_rank,
            "offer": offer_view(outcome.offer, season) if outcome.offer is not None else None}


class QuotaOut(Schema):
    quota = fields.Integer(allow_none=True)
    seats_taken = fields.Integer(required=True)


class DecisionsOut(Schema):
    stage_id = fields.Integer(required=True)
    decided = fields.List(fields.Nested(OutcomeOut), required=True)
    quota = fields.Nested(QuotaOut, required=True)


class StartReviewIn(Schema):
    close_applications_now = fields.Boolean(load_default=False, metadata={
        "description": "Before the deadline: end the application window now and start the review"})


class StartReviewOut(Schema):
    season_id = fields.Integer(required=True)
    stage_id = fields.Integer(allow_none=True)
    moved = fields.Integer(required=True, metadata={"description": "Applications moved from submitted to review"})
    season_status = fields.String(required=True)


class DeclineIn(Schema):
    reason = Text(load_default="", validate=validate.Length(max=2000))


@blp.route("/stages/<id:stage_id>/decisions", methods=["POST"])
@blp.doc(security=SECURITY)
@blp.arguments(DecisionsIn)
@blp.response(200, DecisionsOut)
@auth_required
def decide(data, stage_id: int):
    """Advance, reject or waitlist applications at this stage, all or nothing (manager).

    Body: `{"items": [{"application_id": 1, "decision": "advance"}], "reason": "...", "confirm_over_quota": false}`,
    the same items as a bare array, or `{"top": 5, "decision": "advance"}`. Advancing from the last stage
    accepts the application and makes an offer. 409 when the season is closed, when any application
    cannot take its decision (each one named in `errors`, nothing changed), when the quota would be
    exceeded without `confirm_over_quota`, or when another manager decided the same application at
    the same moment."""
    user = current_api_user()
    stage = program_queries.stage_for_manager(user, stage_id)
    reason = data.get("reason") or ""
    if "top" in data:
        outcomes = decisions.decide_top(stage, data["top"], Decision(data["decision"]), actor=user, reason=reason,
                                        confirm_over_quota=data["confirm_over_quota"])
    else:
        requests = [DecisionRequest(i["application_id"], Decision(i["decision"]), i.get("reason") or "")
                    for i in data["items"]]
        outcomes = decisions.decide_applications(stage, requests, actor=user, reason=reason,
                                                 confirm_over_quota=data["confirm_over_quota"])
    season = stage.season
    result = {"stage_id": stage.id, "decided": [outcome_view(o, season) for o in outcomes],
              "quota": {"quota": season.quota, "seats_taken": offers.seats_taken(season.id)}}
    db.session.commit()
    return result


@blp.route("/seasons/<id:season_id>/start-review", methods=["POST"])
@blp.doc(security=SECURITY)
@blp.arguments(StartReviewIn, required=False)
@blp.response(200, StartReviewOut)
@auth_required
def start_review(data, season_id: int):
    """Move every submitted application into review at the first stage (manager).

    After the deadline it just starts; before it, 409 `still_open` unless `close_applications_now` is
    true, which ends the application window at this moment (drafts can no longer be submitted)."""
    user = current_api_user()
    season = program_queries.season_for_manager(user, season_id)
    moved = decisions.start_review(season, actor=user,
                                   close_applications_now=bool((data or {}).get("close_applications_now")))
    db.session.commit()
    first = min(season.stages, key=lambda s: s.position) if season.stages else None
    return {"season_id": season.id, "stage_id": first.id if first else None, "moved": moved,
            "season_status": str(season.status)}


def _offer_of(user, application_id: int):
    application = application_for_founder(user, application_id)
    offer = offers.offer_for(application)
    if offer is None:
        raise NotFound("There is no offer for this application.")
    return application, offer


@blp.route("/applications/<id:application_id>/offer", methods=["GET"])
@blp.doc(security=SECURITY)
@blp.response(200, OfferOut)
@auth_required
def get_offer(application_id: int):
    """The offer made to my application: status and the deadline to confirm (founder)."""
    application, offer = _offer_of(current_api_user(), application_id)
    return offer_view(offer, application.season)


@blp.route("/applications/<id:application_id>/offer/confirm", methods=["POST"])
@blp.doc(security=SECURITY)
@blp.response(200, OfferOut)
@auth_required
def confirm_offer(application_id: int):
    """Take the place (founder). 409 after the deadline (named in the season's time zone) or once answered."""
    user = current_api_user()
    application, _ = _offer_of(user, application_id)
    result = offer_view(offers.confirm_offer(application, actor=user), application.season)
    db.session.commit()
    return result


@blp.route("/applications/<id:application_id>/offer/decline", methods=["POST"])
@blp.doc(security=SECURITY)
@blp.arguments(DeclineIn, required=False)
@blp.response(200, OfferOut)
@auth_required
def decline_offer(data, application_id: int):
    """Give the place back (founder); the next startup on the waitlist is offered it."""
    user = current_api_user()
    application, _ = _offer_of(user, application_id)
    result = offer_view(offers.decline_offer(application, actor=user, reason=data.get("reason") or ""),
                        application.season)
    db.session.commit()
    return result
