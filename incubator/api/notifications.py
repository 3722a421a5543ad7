"""My in-app notifications."""
from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, fields

from incubator.api.auth import auth_required, current_api_user
from incubator.api.schemas import PageArgs, dump_page, page_of
from incubator.core.errors import NotFound
from incubator.core.pagination import paginate
from incubator.extensions import db
from incubator.notifications.models import Notification
from incubator.notifications.queries import inbox
from incubator.notifications.services import mark_read

blp = Blueprint("api_notifications", __name__, description="In-app notifications")
SECURITY = [{"bearerAuth": []}]


class NotificationOut(Schema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True)
    subject = fields.String(required=True)
    body = fields.String(attribute="body_text")
    link = fields.String(allow_none=True)
    created_at = fields.DateTime(required=True)
    read_at = fields.DateTime(allow_none=True)


@blp.route("/notifications", methods=["GET"])
@blp.doc(security=SECURITY)
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_of(NotificationOut, "NotificationPage"))
@auth_required
def list_notifications(args):
    return dump_page(paginate(inbox(current_api_user()), args["page"], args["per_page"]))


@blp.route("/notifications/<id:notification_id>/read", methods=["POST"])
@blp.doc(security=SECURITY)
@blp.response(200, NotificationOut)
@auth_required
def read_notification(notification_id: int):
    note = db.session.get(Notification, notification_id)
    if note is None or not note.via_inapp:
        raise NotFound("No such notification.")
    mark_read(note, actor=current_api_user())
    db.session.commit()
    return note
