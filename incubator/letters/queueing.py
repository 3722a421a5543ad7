"""Sending a season's decision letters, in two steps, so that no request renders thousands of letters.

1. `send_letters` (the manager's page or the API, inside the request): checks who asks, that the
   season is not closed and that every id chosen is a decision of the season that can be announced
   (one query restricted to those ids), counts the letters still to send (one COUNT query), and
   records the choice as a LetterBatch with its job. When a letter is to be sent, the
   `letters.send_batch` task is queued after commit; otherwise the job is finished at once with
   "Nothing new to send".
2. `send_batch` (the task): `prepare_batch` chooses the decisions again (the batch keeps the
   choice), renders every letter, reads which letters exist (part of the same queries), and writes
   the new outbox rows and the batch's items with bulk INSERTs, in one transaction; then
   `letters.dispatch.dispatch_batch` hands them to the workers at the configured rate.

All or nothing: if one letter cannot be rendered, nothing is queued and the job fails, listing
the letters (startup, kind, language, error). Run twice (a redelivered message), the batch is
prepared once (`prepared_at` is claimed by the transaction that writes the rows) and dispatching
it again sends nothing twice; a lost message is sent again by the outbox sweep
(`requeue_unprepared`). A letter queued since by another batch is skipped, as its dedupe key is
unique: the INSERT fails, and the batch is prepared again without it."""
from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import timedelta

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from markupsafe import Markup, escape
from sqlalchemy import Integer, String, bindparam, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from incubator.core.dispatch import enqueue_after_commit
from incubator.core.errors import Conflict, RuleViolation
from incubator.core.timeutil import utcnow
from incubator.extensions import db
from incubator.jobs.models import Job, JobStatus
from incubator.jobs.services import create_job, fail_job, finish_job
from incubator.letters import progress
from incubator.letters.dispatch import dispatch_batch
from incubator.letters.models import LetterBatch, LetterBatchItem
from incubator.letters.queries import Decision, Person, letter_key, unsent_letter_count
from incubator.letters.services import (
    NOTIFICATION_KIND, SEND_TASK, check_manager, chosen_decisions, chosen_filters, feedback_key, feedback_texts,
    letter_rate, links_for, program_templates, render_for, template_for_letter,
)
from incubator.letters.templating import RenderedLetter
from incubator.notifications.models import Notification
from incubator.notifications.services import Outgoing, queue_many, render_bodies
from incubator.programs.guards import ensure_not_closed
from incubator.programs.models import Season

log = logging.getLogger(__name__)

NOTHING_NEW = _l("Nothing new to send: these letters were sent before.")
MAX_ERRORS_LISTED = 20
UNPREPARED_AFTER = timedelta(minutes=10)  # a batch still not prepared by then: its task's message was lost
_ATTEMPTS = 3  # preparing again after letters were queued by someone else meanwhile


def _to_send_message(count: int) -> str:
    return ngettext("%(num)d letter to send.", "%(num)d letters to send.", count)


# --- 1. In the request ----------------------------------------------------------------------------


def send_letters(season: Season, *, actor, event_ids=None, application_ids=None, all_unsent: bool = False,
                 include_feedback: bool = False) -> tuple[LetterBatch, Job]:
    """Record a send of the chosen decisions' letters: a LetterBatch and its job (total: the letters
    not sent before), and the `letters.send_batch` task after commit. Cheap: the letters are
    rendered and queued by the task."""
    check_manager(actor, season.program)
    ensure_not_closed(season, "letters")
    filters = chosen_filters(season, event_ids=event_ids, application_ids=application_ids, all_unsent=all_unsent)
    count = unsent_letter_count(season, **filters)
    batch = LetterBatch(season_id=season.id, include_feedback=bool(include_feedback), created_by_id=actor.id,
                        event_ids=filters.get("event_ids"), application_ids=filters.get("application_ids"),
                        all_unsent=bool(all_unsent))
    db.session.add(batch)
    db.session.flush()
    job = create_job(kind=progress.JOB_KIND, actor=actor, subject_type=progress.SUBJECT_TYPE, subject_id=batch.id,
                     total=count, message=_to_send_message(count))
    batch.job_id = job.id
    if count:
        enqueue_after_commit(db.session, SEND_TASK, batch_id=batch.id)
    else:
        batch.prepared_at = utcnow()
        finish_job(job, result={"batch_id": batch.id}, message=str(NOTHING_NEW))
    db.session.flush()
    return batch, job


# --- 2. In the task -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Letter:
    decision: Decision
    recipient: Person
    lang: str
    letter: RenderedLetter


def render_batch(batch: LetterBatch) -> tuple[list[_Letter], list[str], dict]:
    """Every letter the batch still needs, rendered; a line per letter that could not be; the
    applications' links."""
    season = db.session.get(Season, batch.season_id)
    filters = {"event_ids": batch.event_ids} if batch.event_ids else (
        {"application_ids": batch.application_ids} if batch.application_ids else {})
    decisions = chosen_decisions(season, filters, all_unsent=batch.all_unsent)
    program = season.program
    rows = program_templates(program)
    feedback = feedback_texts(decisions, batch.include_feedback)
    links = links_for(d.application.id for d in decisions)
    templates: dict[tuple, tuple[str, str, str]] = {}
    letters: list[_Letter] = []
    errors: list[str] = []
    for decision in decisions:
        texts = feedback.get(feedback_key(decision), [])
        for recipient in decision.unsent_recipients:
            which = (decision.kind, recipient.locale)
            if which not in templates:
                templates[which] = template_for_letter(program, decision.kind, recipient.locale, rows)
            subject, body, lang = templates[which]
            try:
                letter = render_for(season, decision, recipient, locale=lang, subject=subject, body=body,
                                    feedback=texts, links=links[decision.application.id])
            except RuleViolation as exc:
                detail = "; ".join(str(m) for messages in exc.errors.values() for m in messages)
                errors.append(f"{decision.application.startup.name} ({decision.kind.label}, {lang}): {detail}")
                continue
            letters.append(_Letter(decision, recipient, lang, letter))
    return letters, errors, links


class _Frames:
    """The e-mail around a letter (templates/emails/decision_letter.*), rendered once per language
    with markers where the subject and the letter go, then filled in for each letter: two template
    renderings per language instead of two per letter. The first letter of each language is also
    rendered in full and compared: if the e-mail templates use anything else, every letter of that
    language is rendered in full."""

    def __init__(self):
        marker = uuid.uuid4().hex
        self.subject, self.text, self.html = (f"S{marker}S", f"T{marker}T", f"H{marker}H")
        self._frames: dict[str, tuple[str, str] | None] = {}

    def _fill(self, frame: tuple[str, str], subject: str, letter: RenderedLetter) -> tuple[str, str]:
        text, html = frame
        return (text.replace(self.subject, subject).replace(self.text, letter.text),
                html.replace(self.subject, str(escape(subject))).replace(self.html, str(letter.html)))

    def bodies(self, locale: str, letter: RenderedLetter, link: str) -> tuple[str, str]:
        frame = self._frames.get(locale)
        if frame is not None:
            return self._fill(frame, letter.subject, letter)
        with force_locale(locale):
            full = render_bodies(NOTIFICATION_KIND, {"link": link, "letter": letter, "subject": letter.subject})
            if locale not in self._frames:
                marked = RenderedLetter(subject=self.subject, text=self.text, html=Markup(self.html))
                frame = render_bodies(NOTIFICATION_KIND, {"link": None, "letter": marked, "subject": self.subject})
                self._frames[locale] = frame if self._fill(frame, letter.subject, letter) == full else None
        return full


def _write(batch_id: int, letters: list[_Letter], links: dict) -> bool:
    """Claim the batch and write its outbox rows and items (not committed). False when another run
    prepared it first. IntegrityError when one of the letters was queued since it was chosen."""
    now, rate, frames = utcnow(), letter_rate(), _Frames()
    outgoing = []
    for i, item in enumerate(letters):
        link = links[item.decision.application.id].application
        reader = item.recipient.locale or item.lang  # the e-mail around the letter: in the reader's language
        text, html = frames.bodies(reader, item.letter, link)
        outgoing.append(Outgoing(
            user_id=item.recipient.id, to_email=item.recipient.email, locale=item.lang, layout_locale=reader,
            subject=item.letter.subject, body_text=text, body_html=html, link=link,
            dedupe_key=letter_key(item.decision.application.id, item.decision.event.id, item.recipient.id),
            # A provisional turn each, so that even a lost dispatch leaves the outbox sweep a paced queue.
            next_attempt_at=now + timedelta(seconds=i / rate)))
    # The writes, as short as can be (SQLite holds its one write lock until the commit).
    claimed = db.session.execute(
        update(LetterBatch).where(LetterBatch.id == batch_id, LetterBatch.prepared_at.is_(None))
        .values(prepared_at=utcnow()).execution_options(synchronize_session=False)
    ).rowcount
    if not claimed:
        return False
    if queue_many(NOTIFICATION_KIND, outgoing):
        notes, items = Notification.__table__, LetterBatchItem.__table__
        db.session.execute(  # each row found by its (unique) dedupe key: one statement, executemany
            insert(items).from_select(
                ["batch_id", "notification_id", "application_id"],
                select(bindparam("batch_id", type_=Integer), notes.c.id, bindparam("application_id", type_=Integer))
                .where(notes.c.dedupe_key == bindparam("key", type_=String))),
            [{"batch_id": batch_id, "application_id": item.decision.application.id, "key": note.dedupe_key}
             for item, note in zip(letters, outgoing, strict=True)])
    return True


def prepare_batch(batch_id: int) -> LetterBatch | None:
    """Render and queue the batch's letters, once (see the module doc). Commits. Returns the batch
    when it is prepared (to dispatch), None when there is nothing to dispatch (no such batch, or
    its job failed: a letter that cannot be rendered, or the season closed since)."""
    for _attempt in range(_ATTEMPTS):
        batch = db.session.get(LetterBatch, int(batch_id), populate_existing=True)
        if batch is None:
            return None
        job = db.session.get(Job, batch.job_id, populate_existing=True) if batch.job_id else None
        if batch.prepared_at is not None:
            return batch
        if job is not None and job.status == JobStatus.FAILED:
            return None
        with force_locale(progress.starter_locale(job)):
            season = db.session.get(Season, batch.season_id)
            try:
                ensure_not_closed(season, "letters")
            except Conflict as exc:
                return _fail(job, exc.message, str(_l("Nothing was sent.")))
            letters, errors, links = render_batch(batch)
            if errors:
                return _fail(job, "\n".join(errors[:MAX_ERRORS_LISTED]), ngettext(
                    "%(num)d letter could not be written, so nothing was sent: correct the template and send "
                    "again.", "%(num)d letters could not be written, so nothing was sent: correct the templates "
                    "and send again.", len(errors)))
            try:
                if not _write(batch.id, letters, links):
                    db.session.rollback()
                    continue  # prepared by another run of the task meanwhile
                if job is not None:
                    job.total = len(letters)
                    job.message = _to_send_message(len(letters))
                    if not letters:
                        finish_job(job, result={"batch_id": batch.id}, message=str(NOTHING_NEW))
                db.session.commit()
            except IntegrityError:  # a letter queued by another batch since it was chosen: choose again
                db.session.rollback()
                continue
        return db.session.get(LetterBatch, batch.id)
    job = db.session.get(Job, batch.job_id) if batch is not None and batch.job_id else None
    with force_locale(progress.starter_locale(job)):
        return _fail(job, "", str(_l("These letters are being sent by someone else at this moment. Reload the "
                                     "page to see what was sent.")))


def _fail(job: Job | None, error: str, message: str) -> None:
    """Nothing queued: the job says why. Commits."""
    job_id = job.id if job is not None else None
    db.session.rollback()
    if job_id is not None:
        job = db.session.get(Job, job_id, populate_existing=True)
        fail_job(job, error=error or message, message=message)
        db.session.commit()
    return None


def send_batch(batch_id: int) -> dict:
    """The `letters.send_batch` task: prepare the batch (once), then dispatch its letters. Commits."""
    try:
        batch = prepare_batch(batch_id)
    except Exception as exc:  # a bug or the database gone: the job says so instead of waiting for ever
        log.exception("letter batch %s could not be prepared", batch_id)
        db.session.rollback()
        batch = db.session.get(LetterBatch, int(batch_id), populate_existing=True)
        job = db.session.get(Job, batch.job_id) if batch is not None and batch.job_id else None
        if job is not None and batch.prepared_at is None:
            with force_locale(progress.starter_locale(job)):
                _fail(job, f"{type(exc).__name__}: {exc}", str(_l("The letters could not be prepared, so nothing "
                                                                  "was sent. Send them again.")))
        raise
    if batch is None:
        return {"batch_id": batch_id, "dispatched": 0}
    return dispatch_batch(batch.id)


def requeue_unprepared(now=None) -> dict:
    """Send the `letters.send_batch` task again for the batches still not prepared UNPREPARED_AFTER
    after they were created (the broker lost the message, or was down at commit), unless their job
    failed. Run by the outbox sweep; safe to repeat (the task prepares a batch once). Commits."""
    cutoff = (now or utcnow()) - UNPREPARED_AFTER
    ids = list(db.session.scalars(
        select(LetterBatch.id).outerjoin(Job, Job.id == LetterBatch.job_id)
        .where(LetterBatch.prepared_at.is_(None), LetterBatch.created_at < cutoff,
               or_(Job.id.is_(None), Job.status != JobStatus.FAILED))
        .order_by(LetterBatch.id).limit(100)))
    for batch_id in ids:
        enqueue_after_commit(db.session, SEND_TASK, batch_id=batch_id)
    db.session.commit()
    return {"letter_batches_requeued": len(ids)}
