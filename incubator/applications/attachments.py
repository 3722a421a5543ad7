"""Files answering file questions: upload (or replace), delete, mark as anonymised, open for download.

An upload is read in chunks into an anonymous temporary file and refused as soon as it passes the
size limit (MAX_UPLOAD_MB), hashed on the way, checked by content (filecheck), and only then put in
storage under a random key. The name the founder's computer gave the file is kept, sanitised, for
display only. The stored file and the row stay in step with the transaction: a rollback removes the
new file, and a replaced or deleted file is removed once the transaction has committed.

Services flush, never commit: the caller commits.
"""
from __future__ import annotations

import logging
import re
import unicodedata

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from incubator.applications.filecheck import Detected, check_file, declared_extension
from incubator.applications.models import Application, Attachment
from incubator.applications.policies import can_download_attachment
from incubator.applications.services import ensure_editable
from incubator.applications.timeline import add_event
from incubator.core.errors import Conflict, DomainError, NotFound, RuleViolation
from incubator.core.timeutil import utcnow
from incubator.extensions import db
from incubator.programs.models import QuestionType
from incubator.storage import delete_after_commit, discard_on_rollback, get_storage
from incubator.storage.spooling import spool_file, spool_limited

log = logging.getLogger(__name__)

MAX_NAME = 150
DEFAULT_MAX_UPLOAD_MB = 20


class TooLarge(DomainError):
    """The upload passed the size limit (HTTP 413); the message names the limit."""

    status = 413
    title = "Content too large"

    def __init__(self, limit_mb):
        super().__init__(_l("The file is larger than the limit of %(mb)s MB: make it smaller (for example, "
                            "export the deck with compressed images) and upload it again.", mb=mb_text(limit_mb)))
        self.limit_mb = limit_mb


def mb_text(value) -> str:
    """20 -> '20', 0.5 -> '0.5': a limit in megabytes as people read it."""
    return f"{value:g}" if isinstance(value, float) else str(value)


def max_upload_mb():
    return current_app.config.get("MAX_UPLOAD_MB", DEFAULT_MAX_UPLOAD_MB)


def megabytes(value) -> int:
    return int(float(value) * 1024 * 1024)


def max_upload_bytes() -> int:
    return megabytes(max_upload_mb())


# --- Names ------------------------------------------------------------------------------------------

_WHITESPACE = re.compile(r"\s+")
_AWKWARD = re.compile(r'[<>:"|?*]')


def sanitise_filename(filename: str | None, extension: str | None = None) -> str:
    """The uploader's file name made safe to show and to offer as a download name: no folders
    (`../`, backslashes), no NUL or control or bidi-override characters, whitespace collapsed,
    unicode letters kept, at most 150 characters with the extension kept, and "file.<ext>" when
    nothing is left. With `extension`, a name without one gets it."""
    name = unicodedata.normalize("NFC", str(filename or ""))
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = _WHITESPACE.sub(" ", name)
    name = "".join(ch for ch in name if not unicodedata.category(ch).startswith("C"))
    name = _AWKWARD.sub("_", name)
    name = _WHITESPACE.sub(" ", name).strip(" .")
    current = declared_extension(name)
    if current and "." in name:
        stem, ext = name[: -len(current) - 1].rstrip(" ."), name[-len(current):].lower()
    else:
        stem, ext = name, ""
    if extension and not ext:
        ext = extension.lower()
    ext = ext[:10]
    if not stem:
        stem = "file"
    room = MAX_NAME - (len(ext) + 1 if ext else 0)
    stem = stem[:room].rstrip(" .") or "file"
    return f"{stem}.{ext}" if ext else stem


# --- Looking things up ------------------------------------------------------------------------------

def file_question(application: Application, key: str):
    """The season's file question with this key; RuleViolation("question") naming the problem."""
    question = next((q for q in application.season.questions if q.key == key), None)
    if question is None:
        raise RuleViolation("question", _l("There is no question “%(key)s” in this season.", key=str(key)[:64]))
    _ensure_file_question(application, question)
    return question


def _ensure_file_question(application: Application, question) -> None:
    if question.season_id != application.season_id:
        raise RuleViolation("question", _l("There is no question “%(key)s” in this season.", key=question.key))
    if question.type != QuestionType.FILE:
        raise RuleViolation("question", _l("Question “%(key)s” takes a written answer, not a file.",
                                           key=question.key))


def attachment_of(application: Application, attachment_id) -> Attachment:
    found = next((a for a in application.attachments if a.id == attachment_id), None)
    if found is None:
        raise NotFound()
    return found


def attachment_for_question(application: Application, question) -> Attachment | None:
    return next((a for a in application.attachments if a.question_id == question.id), None)


def question_key(attachment: Attachment) -> str:
    question = next((q for q in attachment.application.season.questions if q.id == attachment.question_id), None)
    return question.key if question is not None else ""


# --- Services ---------------------------------------------------------------------------------------

def upload_attachment(application: Application, question, stream, filename: str | None, *, actor,
                      anonymised: bool = False) -> Attachment:
    """Attach a file to a file question, replacing the one already there. Refused, with nothing
    stored, when the application is not editable, the question takes no file, the file is too large
    (TooLarge, 413) or its content is not an accepted kind (RuleViolation on "file")."""
    ensure_editable(application, actor=actor)
    _ensure_file_question(application, question)
    clean_name = sanitise_filename(filename)
    storage = get_storage()
    with spool_file() as spool:
        size, sha256 = spool_limited(stream, spool, max_upload_bytes(), lambda: TooLarge(max_upload_mb()))
        if size == 0:
            raise RuleViolation("file", _l("“%(name)s” is empty: choose the file again.",
                                           name=clean_name or "file"))
        detected: Detected = check_file(spool, clean_name, field="file")
        spool.seek(0)
        key = storage.save(spool)
    discard_on_rollback(db.session, storage, key)
    display_name = sanitise_filename(clean_name, detected.extension)
    old = attachment_for_question(application, question)
    # No savepoint here: a lost race (the unique application+question pair) fails the whole
    # transaction, which the caller rolls back, and the rollback removes the new file.
    try:
        if old is not None:
            application.attachments.remove(old)
            db.session.flush()
        attachment = Attachment(
            application_id=application.id, question_id=question.id, storage_key=key,
            original_name=display_name, content_type=detected.mime, extension=detected.extension,
            size=size, sha256=sha256, is_anonymised=bool(anonymised), uploaded_by_id=actor.id,
        )
        application.attachments.append(attachment)
        db.session.flush()
    except IntegrityError:
        storage.delete(key)
        raise Conflict(_l("Another upload for this question finished at the same moment: reload the page "
                          "and check which file is there."), code="upload_race") from None
    if old is not None:
        delete_after_commit(db.session, storage, old.storage_key)
    application.updated_at = utcnow()
    add_event(application, kind="file_uploaded", actor=actor, reason=f"{question.key}: {display_name}")
    db.session.flush()
    return attachment


def delete_attachment(attachment: Attachment, *, actor) -> None:
    application = attachment.application
    ensure_editable(application, actor=actor)
    key, name, qkey = attachment.storage_key, attachment.original_name, question_key(attachment)
    application.attachments.remove(attachment)
    application.updated_at = utcnow()
    add_event(application, kind="file_deleted", actor=actor, reason=f"{qkey}: {name}")
    db.session.flush()
    delete_after_commit(db.session, get_storage(), key)


def set_anonymised(attachment: Attachment, value: bool, *, actor) -> Attachment:
    """Mark a file as anonymised (safe to show in blind review stages), while the application is editable."""
    ensure_editable(attachment.application, actor=actor)
    attachment.is_anonymised = bool(value)
    attachment.application.updated_at = utcnow()
    db.session.flush()
    return attachment


def open_attachment(attachment: Attachment, *, actor):
    """(stream, download name, MIME type) for someone allowed to download it; NotFound otherwise."""
    if attachment is None or not can_download_attachment(actor, attachment):
        raise NotFound()
    try:
        stream = get_storage().open(attachment.storage_key)
    except FileNotFoundError:
        log.error("attachment %s: stored file %s is missing", attachment.id, attachment.storage_key)
        raise NotFound(_l("This file is missing from storage: ask the applicant to upload it again.")) from None
    return stream, attachment.original_name, attachment.content_type
