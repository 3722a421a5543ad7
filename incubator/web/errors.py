"""HTML error pages."""
from __future__ import annotations

from flask import current_app, render_template
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException

MESSAGES = {
    400: _l("The request was not understood. Check the form and try again."),
    403: _l("You are not allowed to see this page."),
    404: _l("There is nothing here. The link may be old or mistyped."),
    405: _l("This page does not take that kind of request."),
    413: _l("What you sent is too large."),
    429: _l("Too many attempts. Wait a minute and try again."),
    500: _l("Something went wrong on our side. Nothing was saved; please try again."),
}


def render_error_page(status: int, message: str | None = None):
    if status == 413:
        limit = current_app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024)
        message = _l("What you sent is too large: the limit is %(mb)d MB.", mb=limit)
    text = message or MESSAGES.get(status) or MESSAGES[500]
    return render_template("errors/error.html", status=status, message=text), status


def render_http_error(error: HTTPException):
    if error.code == 400 and error.description and "CSRF" in str(error.description):
        return render_error_page(400, _l("This form has expired. Go back, reload the page and try again."))
    response = render_error_page(error.code or 500)
    return response
