"""The life of an application: statuses and the one table of allowed moves."""
from __future__ import annotations

import enum


class Status(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    IN_REVIEW = "in_review"
    WAITLISTED = "waitlisted"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.DRAFT: frozenset({Status.SUBMITTED, Status.WITHDRAWN}),
    Status.SUBMITTED: frozenset({Status.IN_REVIEW, Status.WITHDRAWN}),
    # in_review -> in_review is "advance to the next stage"; from the last stage it is "accepted".
    Status.IN_REVIEW: frozenset(
        {Status.IN_REVIEW, Status.ACCEPTED, Status.REJECTED, Status.WAITLISTED, Status.WITHDRAWN}
    ),
    Status.WAITLISTED: frozenset({Status.ACCEPTED, Status.REJECTED}),
    Status.ACCEPTED: frozenset(),
    Status.REJECTED: frozenset(),
    Status.WITHDRAWN: frozenset(),
}

EDITABLE = frozenset({Status.DRAFT})
TERMINAL = frozenset({Status.ACCEPTED, Status.REJECTED, Status.WITHDRAWN})
LIVE = frozenset({Status.DRAFT, Status.SUBMITTED, Status.IN_REVIEW, Status.WAITLISTED, Status.ACCEPTED})


def can_move(src: Status, dst: Status) -> bool:
    return dst in TRANSITIONS[src]
