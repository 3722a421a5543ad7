"""Attachments over the API: upload (multipart), mark anonymised, delete, download."""
from __future__ import annotations

from flask import url_for
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from incubator.api.auth import auth_required, current_api_user
from werkzeug.datastructures import FileStorage

from incubator.api.multipart import FilePart, accept_multipart
from incubator.api.schemas import Text
from incubator.applications import attachments as service
from incubator.applications.filecheck import ACCEPT, ALLOWED_TEXT, MIMES
from incubator.applications.queries import application_for_founder
from incubator.extensions import db
from incubator.storage import send_download

SECURITY = [{"bearerAuth": []}]


blp = Blueprint("api_attachments", __name__, description="Files attached to applications")
accept_multipart(blp)


class AttachmentUploadIn(Schema):
    question = Text(required=True, validate=validate.Length(min=1, max=64),
                    metadata={"description": "The key of a file question of the application's season."})
    file = FilePart(required=True, metadata={
        "description": f"The file: {ALLOWED_TEXT} ({ACCEPT}), checked by content; the size limit is "
                       "MAX_UPLOAD_MB (20 MB by default)."})
    anonymised = fields.Boolean(load_default=False, metadata={
        "description": "The file is anonymised (no names or logos), so blind review stages may show it."})


class AttachmentPatchIn(Schema):
    is_anonymised = fields.Boolean(required=True)


class AttachmentOut(Schema):
    id = fields.Integer(required=True)
    question = fields.Method("get_question", metadata={"type": "string", "description": "The file question's key."})
    original_name = fields.String(required=True, metadata={"description": "Sanitised, for display only."})
    content_type = fields.String(required=True, metadata={"description": "Detected from the content."})
    size = fields.Integer(required=True, metadata={"description": "In bytes."})
    sha256 = fields.String(required=True)
    is_anonymised = fields.Boolean(required=True)
    created_at = fields.DateTime(required=True)
    download_url = fields.Method("get_download_url", metadata={"type": "string", "format": "uri"})

    def get_question(self, obj):
        return service.question_key(obj)

    def get_download_url(self, obj):
        return url_for("api_attachments.download", application_id=obj.application_id, attachment_id=obj.id,
                       _external=True)


FILE_RESPONSE = {
    "description": "The file, as an attachment (Content-Disposition: attachment), with the type detected "
                   "from its content when it was uploaded.",
    "content": {mime: {"schema": {"type": "string", "format": "binary"}} for mime in MIMES},
    "headers": {
        "Content-Disposition": {"schema": {"type": "string"},
                                "description": "attachment; filename=\"...\"; filename*=UTF-8''..."},
        "X-Content-Type-Options": {"schema": {"type": "string", "enum": ["nosniff"]}},
    },
}


def _application(application_id: int):
    return application_for_founder(current_api_user(), application_id)


@blp.route("/applications/<id:application_id>/attachments", methods=["POST"])
@blp.doc(security=SECURITY)
@blp.arguments(AttachmentUploadIn, location="multipart")
@blp.response(201, AttachmentOut)
@auth_required
def upload(data, application_id: int):
    """Attach a file to a file question (replacing the file already there).

    Only while the application is editable (409 once submitted or after the deadline). The type is
    checked by content (422 with the reason on `file`); a file over the size limit is refused with
    413, the limit named."""
    user = current_api_user()
    application = _application(application_id)
    question = service.file_question(application, data["question"])
    upload_file: FileStorage = data["file"]
    attachment = service.upload_attachment(application, question, upload_file.stream, upload_file.filename,
                                           actor=user, anonymised=data["anonymised"])
    db.session.commit()
    return attachment


@blp.route("/applications/<id:application_id>/attachments/<id:attachment_id>", methods=["GET"])
@blp.doc(security=SECURITY, responses={"200": FILE_RESPONSE})
@auth_required
def download(application_id: int, attachment_id: int):
    """Download a file (always as an attachment, never shown inline)."""
    user = current_api_user()
    attachment = service.attachment_of(_application(application_id), attachment_id)
    stream, name, mime = service.open_attachment(attachment, actor=user)
    return send_download(stream, download_name=name, mimetype=mime, etag=attachment.sha256,
                         size=attachment.size)


@blp.route("/applications/<id:application_id>/attachments/<id:attachment_id>", methods=["PATCH"])
@blp.doc(security=SECURITY)
@blp.arguments(AttachmentPatchIn)
@blp.response(200, AttachmentOut)
@auth_required
def update(data, application_id: int, attachment_id: int):
    """Mark a file as anonymised for blind review (or not), while the application is editable."""
    attachment = service.attachment_of(_application(application_id), attachment_id)
    service.set_anonymised(attachment, data["is_anonymised"], actor=current_api_user())
    db.session.commit()
    return attachment


@blp.route("/applications/<id:application_id>/attachments/<id:attachment_id>", methods=["DELETE"])
@blp.doc(security=SECURITY)
@blp.response(204)
@auth_required
def delete(application_id: int, attachment_id: int):
    """Delete a file, while the application is editable."""
    attachment = service.attachment_of(_application(application_id), attachment_id)
    service.delete_attachment(attachment, actor=current_api_user())
    db.session.commit()
