"""The kinds of notification: each has a translatable subject and a .txt + .html template pair
under templates/emails/."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

SUBJECTS = {
    "decision_letter": _l("A decision on your application"),
    "verify_email": _l("Confirm your e-mail address"),
    "password_reset": _l("Reset your password"),
    "role_granted": _l("You have a new role in a program"),
    "test_message": _l("A test message from Incubator"),
    "application_submitted": _l("Your application was submitted"),
    "deadline_reminder": _l("The deadline is near: your application is not submitted yet"),
    "cofounder_invite": _l("You are invited to co-edit a startup"),
    "reviewer_invite": _l("You are invited to review applications"),
    "offer_made": _l("You have an offer: confirm your place"),
    "offer_promoted": _l("A place opened up: you have an offer from the waitlist"),
    "offer_expired": _l("Your offer has expired"),
    "review_reminder": _l("The review deadline is near: you have reviews to finish"),
    "reviews_assigned": _l("New applications to review"),
}


def subject_for(kind: str):
    try:
        return SUBJECTS[kind]
    except KeyError as exc:
        raise ValueError(f"unknown notification kind {kind!r}") from exc
