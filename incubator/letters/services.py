"""Decision letters: a program's templates (saved only when they render), a preview for a real
application, the decisions chosen to announce (checked) and what sending them would do. Sending
itself (one outbox row per recipient per decision, written by a task, then delivered by the workers
at LETTER_RATE_PER_SECOND) is in `letters.queueing` and `letters.dispatch`.

Which template a letter uses: the program's template of that kind in the recipient's language, else
the program's template in its default language, else the default letter in the recipient's
language (`letters.defaults`)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask import current_app, url_for
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from werkzeug.routing import BuildError

from incubator.accounts.policies import can_manage_program
from incubator.applications.models import Application
from incubator.core.errors import NotAllowed, NotFound, RuleViolation
from incubator.core.i18n import format_in_zone
from incubator.core.timeutil import utcnow
from incubator.extensions import db
from incubator.letters.defaults import default_templates
from incubator.letters.models import LetterTemplate
from incubator.letters.placeholders import OFFER_KINDS, LetterKind, letter_context
from incubator.letters.queries import (
    ApplicationRef, Decision, EventRef, OfferRef, Person, StartupRef, announceable_ids, decisions_for, feedback_for,
)
from incubator.letters.templating import RenderedLetter, render_letter, validate_template
from incubator.programs.models import Program, Season
from incubator.selection.models import Offer

NOTIFICATION_KIND = "decision_letter"
SEND_TASK = "letters.send_batch"
DEFAULT_RATE = 5.0


def check_manager(actor, program: Program) -> None:
    if not can_manage_program(actor, program):
        raise NotAllowed()


def _kind(kind) -> LetterKind:
    try:
        return LetterKind(kind)
    except ValueError:
        raise NotFound() from None


def _locale(locale) -> str:
    if locale not in current_app.config["LANGUAGES"]:
        raise NotFound()
    return locale


def letter_rate() -> float:
    """Letters per second the workers hand to the mail server (config LETTER_RATE_PER_SECOND)."""
    try:
        rate = float(current_app.config.get("LETTER_RATE_PER_SECOND", DEFAULT_RATE))
    except (TypeError, ValueError):
        rate = DEFAULT_RATE
    return rate if rate > 0 else DEFAULT_RATE


def program_languages(program: Program) -> list[str]:
    """The languages the program's letters are edited in: its languages (the supported ones), in order."""
    supported = current_app.config["LANGUAGES"]
    langs = [lang for lang in (program.languages or []) if lang in supported]
    return langs or list(supported)


# --- Templates ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EditorTemplate:
    """A template as the editor shows it: the program's own, or the default it starts from."""

    kind: LetterKind
    locale: str
    subject: str
    body: str
    row: LetterTemplate | None

    @property
    def is_default(self) -> bool:
        return self.row is None


def program_templates(program: Program) -> dict[tuple[str, str], LetterTemplate]:
    rows = db.session.scalars(select(LetterTemplate).where(LetterTemplate.program_id == program.id))
    return {(r.kind, r.locale): r for r in rows}


def template_for_editor(program: Program, kind, locale, rows: dict | None = None) -> EditorTemplate:
    kind, locale = _kind(kind), _locale(locale)
    rows = program_templates(program) if rows is None else rows
    row = rows.get((kind.value, locale))
    if row is not None:
        return EditorTemplate(kind, locale, row.subject, row.body, row)
    subject, body = default_templates(kind, locale)
    return EditorTemplate(kind, locale, subject, body, None)


def template_for_letter(program: Program, kind: LetterKind, locale: str, rows: dict) -> tuple[str, str, str]:
    """(subject, body, language of the letter) for a recipient speaking `locale`."""
    for lang in (locale, program.default_locale):
        row = rows.get((kind.value, lang))
        if row is not None:
            return row.subject, row.body, lang
    subject, body = default_templates(kind, locale)
    return subject, body, locale if locale in ("en", "ru", "uz") else "en"


def save_template(program: Program, *, actor, kind, locale, subject: str, body: str) -> LetterTemplate:
    """Save the program's template of this kind and language, refused (RuleViolation on "subject"
    and "body", with the line) when it would not render."""
    check_manager(actor, program)
    kind, locale = _kind(kind), _locale(locale)
    subject = (subject or "").replace("\r\n", "\n").strip()
    body = (body or "").replace("\r\n", "\n").replace("\r", "\n")
    errors = {}
    if not subject:
        errors["subject"] = [str(_l("Write a subject."))]
    if not body.strip():
        errors["body"] = [str(_l("Write the letter."))]
    if errors:
        raise RuleViolation(errors=errors)
    validate_template(subject, body, kind)
    row = db.session.scalar(select(LetterTemplate).where(
        LetterTemplate.program_id == program.id, LetterTemplate.kind == kind.value, LetterTemplate.locale == locale))
    if row is None:
        row = LetterTemplate(program_id=program.id, kind=kind.value, locale=locale, subject=subject, body=body)
        db.session.add(row)
    row.subject, row.body = subject, body
    row.updated_by_id, row.updated_at = actor.id, utcnow()
    db.session.flush()
    return row


def delete_template(program: Program, *, actor, kind, locale) -> bool:
    """Go back to the default letter. True when there was a template of the program's own."""
    check_manager(actor, program)
    kind, locale = _kind(kind), _locale(locale)
    row = db.session.scalar(select(LetterTemplate).where(
        LetterTemplate.program_id == program.id, LetterTemplate.kind == kind.value, LetterTemplate.locale == locale))
    if row is None:
        return False
    db.session.delete(row)
    db.session.flush()
    return True


# --- One letter -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Links:
    application: str   # the founder's page of the application
    confirm: str       # where the founder accepts or declines an offer (the application's page until it exists)


def links_for(application_ids) -> dict[int, Links]:
    """Absolute links for e-mails (PUBLIC_BASE_URL), built in one request context for all."""
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    links = {}
    with current_app.test_request_context(base_url=base):
        for app_id in set(application_ids):
            page = url_for("founder.application_detail", application_id=app_id, _external=True)
            try:
                confirm = url_for("founder.offer", application_id=app_id, _external=True)
            except BuildError:
                confirm = page
            links[app_id] = Links(page, confirm)
    return links


def _values(season: Season, decision: Decision, recipient, locale: str, feedback: list[str],
            links: Links | None) -> dict:
    application = decision.application
    links = links or links_for([application.id])[application.id]
    kind = decision.kind
    offer_deadline = ""
    if kind in OFFER_KINDS:
        deadline = decision.offer.deadline_at if decision.offer is not None else (
            utcnow() + timedelta(days=season.offer_confirmation_days))
        with force_locale(locale):
            offer_deadline = format_in_zone(deadline, season.timezone)
    return letter_context(
        kind, founder_name=recipient.name, startup_name=application.startup.name, program_name=season.program.name,
        season_name=season.name, stage_name=decision.stage.name_in(locale) if decision.stage else "",
        application_link=links.application,
        next_stage_name=decision.next_stage.name_in(locale) if decision.next_stage else "",
        offer_deadline=offer_deadline, confirm_link=links.confirm, feedback=feedback,
    )


def render_for(season: Season, decision: Decision, recipient, *, locale: str, subject: str, body: str,
               feedback: list[str], links: Links | None = None) -> RenderedLetter:
    return render_letter(subject, body, _values(season, decision, recipient, locale, feedback, links))


def feedback_key(decision: Decision) -> tuple[int, int | None]:
    return decision.application.id, decision.stage.id if decision.stage else None


def feedback_texts(decisions: list[Decision], include: bool) -> dict:
    if not include:
        return {}
    return feedback_for(feedback_key(d) for d in decisions)


# --- Decisions and previews -----------------------------------------------------------------------


def letters_for(season: Season, *, actor, application_ids=None, event_ids=None, unsent_only: bool = False,
                kind: str | None = None) -> list[Decision]:
    """The season's decisions to announce, each with its letter kind and whether it was sent."""
    check_manager(actor, season.program)
    decisions = decisions_for(season, application_ids=application_ids, event_ids=event_ids)
    if unsent_only:
        decisions = [d for d in decisions if not d.is_sent]
    if kind:
        decisions = [d for d in decisions if d.kind == kind]
    return decisions


@dataclass(frozen=True)
class LetterPreview:
    letter: RenderedLetter
    kind: LetterKind
    locale: str
    application: Application
    recipient: object
    decision: Decision | None   # None when the application has no decision to announce
    feedback_count: int


def _stand_in(application: Application, kind: LetterKind) -> Decision:
    """A preview for an application without a decision of this kind: its stages and offer as they are."""
    stages = sorted(application.season.stages, key=lambda s: s.position)
    stage = next((s for s in stages if s.id == application.current_stage_id), stages[0] if stages else None)
    later = [s for s in stages if stage is not None and s.position > stage.position]
    offer = db.session.scalar(select(Offer).where(Offer.application_id == application.id))
    startup = application.startup
    users = [startup.owner] + [c.user for c in startup.collaborators if c.user_id != startup.owner_id]
    return Decision(
        event=EventRef(0, application.id, "preview", stage.id if stage else None, None),
        application=ApplicationRef(application.id, application.season_id, application.current_stage_id,
                                   StartupRef(startup.id, startup.name, startup.owner_id)),
        kind=kind, stage=stage, next_stage=later[0] if later else None,
        offer=OfferRef(offer.id, offer.status, offer.deadline_at, offer.promoted_from_waitlist) if offer else None,
        recipients=[Person(u.id, u.name, u.email, u.locale) for u in users])


def preview(season: Season, target, *, actor, kind=None, locale: str | None = None,
            include_feedback: bool = True, subject: str | None = None, body: str | None = None) -> LetterPreview:
    """A letter rendered for a real application of the season, as its owner would read it.

    `target` is an application (its decision to announce when it has one) or a decision event (an
    ApplicationEvent, or a Decision's `event`).
    `kind` and `locale` default to the decision's kind and the owner's language; `subject` and
    `body` preview a template being edited instead of the one that would be used."""
    check_manager(actor, season.program)
    if isinstance(target, Application):
        application = target
        found = decisions_for(season, application_ids=[application.id])
    else:
        found = decisions_for(season, event_ids=[target.id])
        application = db.session.get(Application, target.application_id)
    if application is None or application.season_id != season.id:
        raise NotFound()
    decision = found[0] if found else None
    kind = LetterKind(kind) if kind else (decision.kind if decision else None)
    if kind is None:
        raise RuleViolation("kind", _l("This application has no decision to announce yet: choose the kind of letter."))
    source = decision if decision is not None and decision.kind == kind else _stand_in(application, kind)
    recipient = source.recipients[0]
    locale = locale if locale in current_app.config["LANGUAGES"] else recipient.locale
    if subject is None or body is None:
        subject, body, locale = template_for_letter(season.program, kind, locale, program_templates(season.program))
    feedback = feedback_texts([source], include_feedback).get(feedback_key(source), [])
    letter = render_for(season, source, recipient, locale=locale, subject=subject, body=body, feedback=feedback)
    return LetterPreview(letter=letter, kind=kind, locale=locale, application=application, recipient=recipient,
                         decision=decision, feedback_count=len(feedback))


# --- Sending --------------------------------------------------------------------------------------


def chosen_filters(season: Season, *, event_ids=None, application_ids=None, all_unsent: bool = False) -> dict:
    """The decisions chosen, as the filters of `decisions_for` ({} for every decision of the season),
    once each id given is known to be one of the season's decisions to announce (else RuleViolation
    naming the others). One query, restricted to the ids given (none for all_unsent)."""
    if all_unsent:
        return {}
    if event_ids:
        field, wanted = "event_ids", {int(i) for i in event_ids}
        found = announceable_ids(season, event_ids=wanted)
    elif application_ids:
        field, wanted = "application_ids", {int(i) for i in application_ids}
        found = announceable_ids(season, application_ids=wanted)
    else:
        raise RuleViolation("event_ids", _l("Choose the decisions to announce."))
    missing = wanted - found
    if missing:
        raise RuleViolation(field, _l("Not a decision of this season that can be announced: %(ids)s.",
                                      ids=", ".join(f"#{i}" for i in sorted(missing))))
    return {field: sorted(wanted)}


def chosen_decisions(season: Season, filters: dict, *, all_unsent: bool = False) -> list[Decision]:
    decisions = decisions_for(season, **filters)
    return [d for d in decisions if not d.is_sent] if all_unsent else decisions


@dataclass(frozen=True)
class LetterPlan:
    """What a send would do (a dry run): the decisions chosen, how many letters would go out, and
    sample letters (one per decision, to its first recipient, for the first `limit` decisions)."""

    decisions: list[Decision]
    letters: int                        # letters not sent before: what a send would queue
    samples: list[tuple[Decision, object, str, RenderedLetter]]


def plan_letters(season: Season, *, actor, event_ids=None, application_ids=None, all_unsent: bool = False,
                 include_feedback: bool = False, limit: int = 5) -> LetterPlan:
    check_manager(actor, season.program)
    filters = chosen_filters(season, event_ids=event_ids, application_ids=application_ids, all_unsent=all_unsent)
    decisions = chosen_decisions(season, filters, all_unsent=all_unsent)
    rows = program_templates(season.program)
    shown = decisions[:max(0, limit)]
    feedback = feedback_texts(shown, include_feedback)
    links = links_for(d.application.id for d in shown)
    samples = []
    for decision in shown:
        recipient = (decision.unsent_recipients or decision.recipients)[0]
        subject, body, lang = template_for_letter(season.program, decision.kind, recipient.locale, rows)
        samples.append((decision, recipient, lang,
                        render_for(season, decision, recipient, locale=lang, subject=subject, body=body,
                                   feedback=feedback.get(feedback_key(decision), []),
                                   links=links[decision.application.id])))
    return LetterPlan(decisions=decisions, letters=sum(len(d.unsent_recipients) for d in decisions), samples=samples)
