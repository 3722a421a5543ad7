"""Thin tasks: load, one service call, commit. Named "<domain>.<verb>"."""
from __future__ import annotations

from celery import shared_task

from incubator.applications.reminders import send_deadline_reminders
from incubator.extensions import db
from incubator.letters.queueing import requeue_unprepared, send_batch
from incubator.reviews.reminders import send_review_reminders
from incubator.selection.offers import expire_offers
from incubator.notifications.delivery import deliver_chunk, deliver_notification, sweep_outbox


@shared_task(name="notifications.deliver", bind=True, acks_late=True, ignore_result=True)
def deliver(self, notification_id: int) -> str:
    try:
        outcome = deliver_notification(int(notification_id))
    finally:
        db.session.remove()
    if outcome.result == "retry" and outcome.retry_in is not None:
        self.apply_async(kwargs={"notification_id": notification_id}, countdown=outcome.retry_in)
    return outcome.result


@shared_task(name="notifications.deliver_chunk", bind=True, acks_late=True, ignore_result=True)
def deliver_many(self, notification_ids: list[int]) -> dict:
    try:
        outcome = deliver_chunk(notification_ids)
    finally:
        db.session.remove()
    for ids, countdown in outcome.requeue:  # letters to retry, or whose turn is not near yet
        self.apply_async(kwargs={"notification_ids": ids}, countdown=countdown)
    return outcome.counts()


@shared_task(name="notifications.sweep", ignore_result=True)
def sweep() -> dict:
    try:
        return {**sweep_outbox(), **requeue_unprepared()}
    finally:
        db.session.remove()


@shared_task(name="applications.send_reminders", ignore_result=True)
def send_reminders() -> dict:
    try:
        return send_deadline_reminders()
    finally:
        db.session.remove()


@shared_task(name="letters.send_batch", acks_late=True, ignore_result=True)
def send_letter_batch(batch_id: int) -> dict:
    try:
        return send_batch(int(batch_id))
    finally:
        db.session.remove()


@shared_task(name="reviews.send_reminders", ignore_result=True)
def send_review_reminders_task() -> dict:
    try:
        return send_review_reminders()
    finally:
        db.session.remove()


@shared_task(name="selection.expire_offers", ignore_result=True)
def expire_selection_offers() -> dict:
    try:
        return expire_offers()
    finally:
        db.session.remove()


@shared_task(name="reports.compile", acks_late=True, ignore_result=True)
def compile_season_report(report_id: int) -> dict:
    from incubator.reports.pipeline import compile_report

    try:
        return compile_report(int(report_id))
    finally:
        db.session.remove()
