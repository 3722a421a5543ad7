"""Who may see and change an application, founder side. (Reviewers and managers come with selection.)"""
from __future__ import annotations

from incubator.applications.states import EDITABLE, TERMINAL, Status
from incubator.programs.guards import is_closed
from incubator.startups.policies import can_edit_startup


def is_applicant(user, application) -> bool:
    """The startup's owner or an accepted co-founder."""
    return application is not None and can_edit_startup(user, application.startup)


def can_view_application(user, application) -> bool:
    return is_applicant(user, application)


def can_edit_application(user, application) -> bool:
    """A draft, while its season is not closed."""
    return is_applicant(user, application) and application.status in EDITABLE and not is_closed(application.season)


def can_submit_application(user, application) -> bool:
    return (is_applicant(user, application) and application.status == Status.DRAFT
            and not is_closed(application.season))


def can_withdraw_application(user, application) -> bool:
    """Any time before a final decision."""
    return is_applicant(user, application) and application.status not in TERMINAL


def can_download_attachment(user, attachment) -> bool:
    return can_view_application(user, attachment.application)
