"""The startup's logo: a PNG or JPEG image its founders upload, replace and remove, and anyone who may
see the startup fetches.

An upload is read in chunks into an anonymous temporary file and refused as soon as it passes the
limit (LOGO_MAX_MB, 2 MB by default; TooLarge, 413), checked by its content (never by its name: an
HTML page or an SVG renamed logo.png is refused), and only then stored under a random key. The stored
file and the row stay in step with the transaction, as for attachments: a rollback removes the new
file, and the file a replace or a removal stops using is removed once the transaction has committed.

It is served inline (images are safe to show; SVG, which may carry scripts, is never accepted) with
the type detected at upload, `nosniff`, and a short private cache.

Services check the policy, change the row and flush; the caller commits.
"""
from __future__ import annotations

import hashlib
import logging
from typing import NamedTuple

import filetype
from filetype.utils import get_bytes
from flask import current_app, send_file
from flask_babel import lazy_gettext as _l
from sqlalchemy import update

from incubator.applications.attachments import TooLarge, mb_text, megabytes, sanitise_filename
from incubator.core.errors import Conflict, DomainError, NotFound, RuleViolation
from incubator.extensions import db
from incubator.startups.models import Startup
from incubator.startups.policies import can_edit_startup, can_view_startup
from incubator.storage import delete_after_commit, discard_on_rollback, get_storage
from incubator.storage.spooling import spool_file, spool_limited

log = logging.getLogger(__name__)

FIELD = "logo"
DEFAULT_LOGO_MAX_MB = 2
CACHE_SECONDS = 300
ACCEPT = ".png,.jpg,.jpeg"
ALLOWED_TEXT = "PNG, JPEG"
# The detected type -> the name the logo is served under. Nothing else is ever stored or served.
IMAGE_TYPES = {"image/png": "logo.png", "image/jpeg": "logo.jpg"}


class LogoTooLarge(TooLarge):
    """TooLarge (413) with a message that speaks of a logo rather than a document."""

    def __init__(self, limit_mb):
        DomainError.__init__(self, _l("The logo is larger than the limit of %(mb)s MB: save it smaller (a few "
                                      "hundred pixels wide is plenty) and upload it again.", mb=mb_text(limit_mb)))
        self.limit_mb = limit_mb


def logo_max_mb():
    return current_app.config.get("LOGO_MAX_MB", DEFAULT_LOGO_MAX_MB)


def logo_max_bytes() -> int:
    return megabytes(logo_max_mb())


# --- The content check -----------------------------------------------------------------------------

class Image(NamedTuple):
    mime: str        # "image/png" or "image/jpeg"
    extension: str   # "png" or "jpg"


def _describe(head: bytes, guess) -> object:
    """What a refused file seems to be, in words a founder understands."""
    text = head.lstrip(b"\xef\xbb\xbf\xff\xfe\x00 \t\r\n").lower()
    if b"<svg" in text[:4096]:
        return _l("an SVG image (SVG is not accepted: it can carry scripts)")
    if text.startswith(b"<"):
        return _l("HTML or XML (a web page)")
    if guess is not None:
        return _l("a file of type %(type)s (%(mime)s)", type=guess.extension.upper(), mime=guess.mime)
    return _l("not an image we recognise")


def check_image(source, filename: str | None = None, *, field: str = FIELD) -> Image:
    """The image's type, by its content; RuleViolation(field, why) unless it is a PNG or a JPEG.
    `source` is bytes, a path, or a binary file (read from its start, left where it was)."""
    name = sanitise_filename(filename) if filename else "logo"
    head = bytes(get_bytes(source))
    if not head:
        raise RuleViolation(field, _l("“%(name)s” is empty: choose the image again.", name=name))
    guess = filetype.guess(head)
    if guess is None or guess.mime not in IMAGE_TYPES:
        raise RuleViolation(field, _l("“%(name)s” is not a PNG or JPEG image: its content is %(what)s. "
                                      "The logo must be a PNG or JPEG image.", name=name, what=_describe(head, guess)))
    if guess.mime == "image/png" and head[12:16] != b"IHDR":
        raise RuleViolation(field, _l("“%(name)s” is a damaged PNG image: save it again and upload the copy.",
                                      name=name))
    return Image(guess.mime, "png" if guess.mime == "image/png" else "jpg")


# --- Services --------------------------------------------------------------------------------------

def _swap(startup: Startup, old_key: str | None, key: str | None, mime: str | None) -> None:
    """Point the row at the new file only if it still points at the one this request saw: of two
    uploads at the same moment one wins, the other is refused (and its file removed by the rollback)."""
    current = Startup.logo_key.is_(None) if old_key is None else Startup.logo_key == old_key
    result = db.session.execute(
        update(Startup).where(Startup.id == startup.id, current).values(logo_key=key, logo_content_type=mime),
        execution_options={"synchronize_session": "evaluate"})
    if result.rowcount != 1:
        raise Conflict(_l("The logo was changed at the same moment by someone else: reload the page and check "
                          "which logo is there."), code="logo_race")
    db.session.flush()


def set_logo(startup: Startup, stream, filename: str | None, *, actor) -> Startup:
    """Upload the startup's logo, or replace it. Refused, with nothing stored, when the actor may not
    edit the startup (NotFound), the image is over the limit (TooLarge, 413) or is not a PNG or JPEG
    by its content (RuleViolation on "logo"). The replaced file is removed after the commit."""
    if not can_edit_startup(actor, startup):
        raise NotFound()
    storage = get_storage()
    with spool_file() as spool:
        spool_limited(stream, spool, logo_max_bytes(), lambda: LogoTooLarge(logo_max_mb()))
        image = check_image(spool, filename)
        spool.seek(0)
        key = storage.save(spool)
    discard_on_rollback(db.session, storage, key)
    old_key = startup.logo_key
    _swap(startup, old_key, key, image.mime)
    if old_key:
        delete_after_commit(db.session, storage, old_key)
    return startup


def remove_logo(startup: Startup, *, actor) -> Startup:
    """Take the logo away (nothing to do when there is none); the file is removed after the commit."""
    if not can_edit_startup(actor, startup):
        raise NotFound()
    old_key = startup.logo_key
    if old_key is None:
        return startup
    _swap(startup, old_key, None, None)
    delete_after_commit(db.session, get_storage(), old_key)
    return startup


class Logo(NamedTuple):
    stream: object
    mimetype: str
    filename: str
    etag: str


def logo_version(startup: Startup) -> str | None:
    """A short fingerprint of the current logo (changes whenever it is replaced), for ETags and for
    cache-busting addresses; None when there is no logo."""
    if not startup.logo_key:
        return None
    return hashlib.sha256(startup.logo_key.encode()).hexdigest()[:16]


def open_logo(startup: Startup | None, *, actor) -> Logo:
    """The logo, for someone who may see the startup; NotFound otherwise, or when there is none."""
    if startup is None or not can_view_startup(actor, startup):
        raise NotFound()
    if not startup.logo_key or startup.logo_content_type not in IMAGE_TYPES:
        raise NotFound(_l("%(startup)s has no logo.", startup=startup.name))
    try:
        stream = get_storage().open(startup.logo_key)
    except FileNotFoundError:
        log.error("startup %s: stored logo %s is missing", startup.id, startup.logo_key)
        raise NotFound(_l("The logo is missing from storage: upload it again.")) from None
    return Logo(stream, startup.logo_content_type, IMAGE_TYPES[startup.logo_content_type], logo_version(startup))


def send_logo(logo: Logo):
    """The image, shown inline: the type detected at upload, nosniff, a short private cache, and a
    sandbox CSP in case it is opened on its own."""
    response = send_file(logo.stream, mimetype=logo.mimetype, as_attachment=False, download_name=logo.filename,
                         etag=logo.etag, max_age=CACHE_SECONDS, conditional=True)
    response.headers["Content-Disposition"] = f'inline; filename="{logo.filename}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = f"private, max-age={CACHE_SECONDS}"
    response.headers.pop("Expires", None)
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
