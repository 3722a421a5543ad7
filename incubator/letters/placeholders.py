"""The kinds of decision letter and the placeholders a letter template may use.

A template sees only the values built here by `letter_context`: plain strings, and for
`feedback` a list of strings. Nothing else (no ORM object, no dict, no callable) ever reaches a
template, so there is nothing behind a placeholder to explore.

placeholder       kinds                          value
founder_name      all                            the recipient's name
startup_name      all                            the startup's name
program_name      all                            the program's name
season_name       all                            the season's name
stage_name        all                            the stage the decision was taken at
application_link  all                            the founder's page of the application
next_stage_name   advanced                       the stage the application moves on to
offer_deadline    accepted_offer,                when the offer must be confirmed by (date, time and
                  promoted_from_waitlist,        time zone, already formatted for the reader)
                  offer_reminder
confirm_link      the same three                 where the founder accepts or declines the offer
feedback          all but offer_reminder         the reviewers' feedback for the founder: a list of
                                                 texts, without the reviewers' names (may be empty)
"""
from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l


class LetterKind(enum.StrEnum):
    ADVANCED = "advanced"
    REJECTED = "rejected"
    WAITLISTED = "waitlisted"
    ACCEPTED_OFFER = "accepted_offer"
    PROMOTED_FROM_WAITLIST = "promoted_from_waitlist"
    OFFER_REMINDER = "offer_reminder"

    @property
    def label(self):
        return KIND_LABELS[self]


KIND_LABELS = {
    LetterKind.ADVANCED: _l("Advanced to the next stage"),
    LetterKind.REJECTED: _l("Not selected"),
    LetterKind.WAITLISTED: _l("Put on the waiting list"),
    LetterKind.ACCEPTED_OFFER: _l("Accepted, with an offer of a seat"),
    LetterKind.PROMOTED_FROM_WAITLIST: _l("Offered a seat from the waiting list"),
    LetterKind.OFFER_REMINDER: _l("Reminder to confirm the offer"),
}

ALL_KINDS = frozenset(LetterKind)
OFFER_KINDS = frozenset({LetterKind.ACCEPTED_OFFER, LetterKind.PROMOTED_FROM_WAITLIST, LetterKind.OFFER_REMINDER})


@dataclass(frozen=True)
class Placeholder:
    """One value a letter template may use. `example` is what validation and the blank preview
    render with; `kinds` are the letters the value exists for."""

    name: str
    description: object  # a lazy string
    example: str | tuple[str, ...]
    kinds: frozenset[LetterKind]

    @property
    def is_list(self) -> bool:
        return isinstance(self.example, tuple)

    @property
    def usage(self) -> str:
        """How to write it in a template (for the help shown next to the editor)."""
        if self.is_list:
            return "{% for item in " + self.name + " %}— {{ item }}\n{% endfor %}"
        return "{{ " + self.name + " }}"


PLACEHOLDERS: dict[str, Placeholder] = {p.name: p for p in (
    Placeholder("founder_name", _l("The name of the founder the letter is sent to."),
                "Dilnoza Karimova", ALL_KINDS),
    Placeholder("startup_name", _l("The name of the startup."), "AgroSense", ALL_KINDS),
    Placeholder("program_name", _l("The name of the program."), "InnoX", ALL_KINDS),
    Placeholder("season_name", _l("The name of the season."), "Season 3, 2025", ALL_KINDS),
    Placeholder("stage_name", _l("The stage at which the decision was taken."), "Screening", ALL_KINDS),
    Placeholder("application_link", _l("The link to the application in the founder's account."),
                "https://incubator.example.uz/founder/applications/42", ALL_KINDS),
    Placeholder("next_stage_name", _l("The stage the application moves on to."), "Interview",
                frozenset({LetterKind.ADVANCED})),
    Placeholder("offer_deadline", _l("When the offer must be confirmed by: date, time and time zone."),
                "12 Dec 2026, 18:00 Asia/Tashkent (UTC+05:00)", OFFER_KINDS),
    Placeholder("confirm_link", _l("The link where the founder accepts or declines the offer."),
                "https://incubator.example.uz/founder/applications/42/offer", OFFER_KINDS),
    Placeholder("feedback", _l("The reviewers' feedback for the founder, a list of texts (without the reviewers' "
                               "names); empty when nobody left feedback."),
                ("A clear problem and a team that knows the market well.",
                 "Show more evidence that farmers will pay: a pilot with two or three farms would help."),
                ALL_KINDS - {LetterKind.OFFER_REMINDER}),
)}


def placeholders_for(kind: LetterKind | str) -> list[Placeholder]:
    """The placeholders a letter of this kind may use, in documentation order."""
    kind = LetterKind(kind)
    return [p for p in PLACEHOLDERS.values() if kind in p.kinds]


def placeholder_names(kind: LetterKind | str) -> frozenset[str]:
    return frozenset(p.name for p in placeholders_for(kind))


def _text(name: str, value) -> str:
    if not isinstance(value, str):
        raise TypeError(f"letter placeholder {name} must be a str, not {type(value).__name__}")
    return value.replace("\r\n", "\n").replace("\r", "\n").strip()


def _texts(name: str, values: Iterable[str]) -> list[str]:
    if isinstance(values, str) or not isinstance(values, list | tuple):
        raise TypeError(f"letter placeholder {name} must be a list of str, not {type(values).__name__}")
    texts = [_text(name, value) for value in values]
    return [text for text in texts if text]


def letter_context(kind: LetterKind | str, *, founder_name: str, startup_name: str, program_name: str,
                   season_name: str, stage_name: str, application_link: str, next_stage_name: str | None = None,
                   offer_deadline: str | None = None, confirm_link: str | None = None,
                   feedback: Iterable[str] = ()) -> dict[str, str | list[str]]:
    """The values a letter of this kind is rendered with, from plain inputs only (strings, and a
    list of strings for feedback: pass texts, never model objects). `offer_deadline` is already
    formatted for the reader, time zone named (`core.i18n.format_in_zone`).

    Values a kind does not use are left out, so a template cannot print them; a value the kind
    needs and that is missing is a programming error (ValueError)."""
    kind = LetterKind(kind)
    given = {"founder_name": founder_name, "startup_name": startup_name, "program_name": program_name,
             "season_name": season_name, "stage_name": stage_name, "application_link": application_link,
             "next_stage_name": next_stage_name, "offer_deadline": offer_deadline, "confirm_link": confirm_link,
             "feedback": feedback}
    context: dict[str, str | list[str]] = {}
    for placeholder in placeholders_for(kind):
        value = given[placeholder.name]
        if value is None:
            raise ValueError(f"a {kind} letter needs {placeholder.name}")
        context[placeholder.name] = (_texts(placeholder.name, value) if placeholder.is_list
                                     else _text(placeholder.name, value))
    return context


def example_context(kind: LetterKind | str, *, with_feedback: bool = True) -> dict[str, str | list[str]]:
    """The context built from the example values: what validation test-renders a template with."""
    values = {p.name: (list(p.example) if p.is_list else p.example) for p in placeholders_for(kind)}
    if "feedback" in values and not with_feedback:
        values["feedback"] = []
    return letter_context(kind, **values)
