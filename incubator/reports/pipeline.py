"""Compiling a season report: figures -> HTML (with SVG charts) -> PDF -> XLSX -> CSVs, each file
stored under a random key with its SHA-256, with the progress committed between the steps so the
manager's page and the API can follow it.

- Claimed once: a queued report (or one left running by a worker that died) is claimed with a
  conditional UPDATE; a second delivery of the task for a report that is running or finished does
  nothing (the task is acks_late, so a killed worker's report is compiled again).
- Nothing half-written is ever listed: `report.files` and the summary are written, and the report
  marked done, in one final commit. If any step fails, the session is rolled back, every file
  stored so far is deleted, and the report is marked failed with the error (and its job too).
- A failed report is retried by `retry_report`, which asks for a NEW report (same season, same
  language): a later report never overwrites an earlier one.
- Time and memory (bench/season_report.py measures them): the figures are counted once, the charts
  drawn once for the HTML and the PDF, the tables built once for the XLSX and the CSVs; the
  collector skips the figures' objects (`_long_lived`); the reports worker loads WeasyPrint when it
  starts (render_pdf.preload, from workers/app.py), not in the first PDF step. compile_report
  returns the wall and CPU seconds of each step for the task's log."""
from __future__ import annotations

import gc
import hashlib
import io
import logging
import re
import time
from contextlib import contextmanager
from datetime import timedelta

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, or_, update

from incubator.core.errors import Conflict
from incubator.core.timeutil import utcnow
from incubator.extensions import db
from incubator.jobs.models import Job
from incubator.jobs.services import fail_job, finish_job, start_job
from incubator.reports.models import ReportStatus, SeasonReport
from incubator.reports.services import request_report
from incubator.storage import get_storage

log = logging.getLogger(__name__)

STALE_AFTER = timedelta(minutes=30)  # a report "running" this long was left by a worker that died
CONTENT_TYPES = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}
# What the worker is doing, and how far along the report is once that step has finished.
STEPS = {
    "queued": (0, _l("Waiting for a worker")),
    "figures": (5, _l("Counting the figures")),
    "html": (20, _l("Drawing the charts and the HTML page")),
    "pdf": (40, _l("Laying out the PDF")),
    "xlsx": (70, _l("Writing the XLSX workbook")),
    "csv": (85, _l("Writing the CSV files")),
    "saving": (95, _l("Saving the files")),
    "done": (100, _l("The report is ready")),
    "failed": (100, _l("The report could not be compiled")),
}
FAILED_AT = {
    "figures": _l("Counting the figures failed"),
    "html": _l("The HTML page could not be made"),
    "pdf": _l("The PDF could not be made"),
    "xlsx": _l("The XLSX workbook could not be made"),
    "csv": _l("The CSV files could not be made"),
    "saving": _l("The files could not be saved"),
}
_SLUG = re.compile(r"[^a-z0-9]+")


def step_label(step: str | None) -> str:
    return str(STEPS.get(step or "", STEPS["queued"])[1])


def _slug(text: str) -> str:
    return _SLUG.sub("-", (text or "").lower()).strip("-") or "x"


def file_stem(report: SeasonReport) -> str:
    """`innox-season-3-autumn-2025-report-12-uz`: the program, the season, the report and its language."""
    season = report.season
    return f"{_slug(season.program.slug)}-{_slug(season.slug)}-report-{report.id}-{_slug(report.locale)}"


def _csv_name(stem: str, name: str) -> str:
    base = name[:-4] if name.lower().endswith(".csv") else name
    return f"{stem}-{_slug(base)}.csv"


# --- Claiming ------------------------------------------------------------------------------------------


def _claim(report_id: int) -> SeasonReport | None:
    now = utcnow()
    claimed = db.session.execute(
        update(SeasonReport)
        .where(SeasonReport.id == report_id,
               or_(SeasonReport.status == ReportStatus.QUEUED,
                   and_(SeasonReport.status == ReportStatus.RUNNING, SeasonReport.started_at < now - STALE_AFTER)))
        .values(status=ReportStatus.RUNNING, started_at=now, finished_at=None, error=None)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        db.session.rollback()
        return None
    report = db.session.get(SeasonReport, report_id, populate_existing=True)
    job = db.session.get(Job, report.job_id) if report.job_id else None
    if job is not None:
        start_job(job)
    _set_progress(report, job, "figures")
    return report


def _set_progress(report: SeasonReport, job: Job | None, step: str) -> None:
    """Record the step (and its percentage) on the job, and commit so a poller sees it now."""
    if job is not None:
        percent, label = STEPS[step]
        with force_locale(report.locale):
            job.message = str(label)[:300]
        job.progress = percent
        job.result = {"report_id": report.id, "step": step}
    db.session.commit()


# --- Compiling -----------------------------------------------------------------------------------------


def compile_report(report_id: int) -> dict:
    """Compile the report (the `reports.compile` task). Returns what happened, for the task's log."""
    report_id = int(report_id)
    report = _claim(report_id)
    if report is None:
        current = db.session.get(SeasonReport, report_id)
        return {"report_id": report_id, "skipped": True, "status": str(current.status) if current else "missing"}
    storage = get_storage()
    stored: list[str] = []
    state = {"step": "figures"}
    timings: dict[str, float] = {}
    cpu: dict[str, float] = {}
    try:
        _compile(report, storage, stored, state, timings, cpu)
    except Exception as exc:  # any failure: nothing half-written stays
        log.exception("season report %s failed at %s", report_id, state["step"])
        db.session.rollback()
        for key in stored:
            try:
                storage.delete(key)
            except Exception:
                log.exception("could not delete stored file %s of failed report %s", key, report_id)
        _mark_failed(report_id, state["step"], exc)
        return {"report_id": report_id, "status": "failed", "step": state["step"]}
    finally:
        gc.unfreeze()  # the figures (see _long_lived) are ordinary garbage again
    return {"report_id": report_id, "status": "done", "files": len(stored), "seconds": timings, "cpu_seconds": cpu}


@contextmanager
def _long_lived():
    """Counting the figures of 20,000 applications makes about a million small objects that live to
    the end of the report and hold almost no reference cycles; the cyclic garbage collector would
    scan them all again at each full collection (1.5 s of 4.5 at 20,000, and 0.6 s more while
    WeasyPrint lays out the PDF). So it is paused while they are made, and they are then frozen
    (gc.freeze: never scanned) until compile_report ends. Both are process-wide, which suits a
    worker process running one task at a time (Celery's prefork pool); memory is still freed by
    reference counting meanwhile."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


def _compile(report: SeasonReport, storage, stored: list[str], state: dict, timings: dict, cpu: dict) -> None:
    from incubator.reports.charts import report_charts
    from incubator.reports.figures import season_figures
    from incubator.reports.render_csv import render_csvs
    from incubator.reports.render_html import render_html
    from incubator.reports.render_pdf import render_pdf
    from incubator.reports.render_tables import all_tables
    from incubator.reports.render_xlsx import render_xlsx

    report_id, locale = report.id, report.locale
    season = report.season
    timezone = season.timezone
    stem = file_stem(report)
    job_id = report.job_id
    files: list[dict] = []

    def step(name: str):
        state["step"] = name
        timings[name] = time.perf_counter()
        cpu[name] = time.process_time()

    def done(name: str, next_step: str) -> None:
        timings[name] = round(time.perf_counter() - timings[name], 3)
        cpu[name] = round(time.process_time() - cpu[name], 3)
        current = db.session.get(SeasonReport, report_id)
        _set_progress(current, db.session.get(Job, job_id) if job_id else None, next_step)

    def store(data: bytes, fmt: str, name: str) -> None:
        key = storage.save(io.BytesIO(data))
        stored.append(key)
        files.append({"format": fmt, "name": name, "key": key, "content_type": CONTENT_TYPES[fmt],
                      "size": len(data), "sha256": hashlib.sha256(data).hexdigest()})

    step("figures")
    with _long_lived():
        figures = season_figures(season, locale)
    done("figures", "html")

    step("html")
    with force_locale(locale):
        charts = report_charts(figures)
    html = render_html(figures, charts=charts, timezone=timezone, report_id=report_id)
    store(html.encode("utf-8"), "html", f"{stem}.html")
    del html
    done("html", "pdf")

    step("pdf")
    store(render_pdf(figures, charts=charts, timezone=timezone, report_id=report_id), "pdf", f"{stem}.pdf")
    del charts
    done("pdf", "xlsx")

    step("xlsx")
    with force_locale(figures.locale):
        tables = all_tables(figures)  # shared by the workbook and the CSV files
    store(render_xlsx(figures, tables), "xlsx", f"{stem}.xlsx")
    done("xlsx", "csv")

    step("csv")
    for name, data in sorted(render_csvs(figures, tables).items()):
        store(data, "csv", _csv_name(stem, name))
    del tables
    done("csv", "saving")

    step("saving")
    report = db.session.get(SeasonReport, report_id)
    report.files = files
    report.summary = summary_of(figures)
    report.provisional = bool(figures.provisional)
    report.status = ReportStatus.DONE
    report.finished_at = utcnow()
    report.error = None
    job = db.session.get(Job, job_id) if job_id else None
    if job is not None:
        with force_locale(locale):
            finish_job(job, result={"report_id": report_id, "step": "done", "files": len(files)},
                       message=str(STEPS["done"][1]))
    db.session.commit()
    timings["saving"] = round(time.perf_counter() - timings["saving"], 3)
    cpu["saving"] = round(time.process_time() - cpu["saving"], 3)


def _mark_failed(report_id: int, step: str, exc: Exception) -> None:
    try:
        report = db.session.get(SeasonReport, report_id, populate_existing=True)
        if report is None:
            return
        detail = str(exc).strip() or type(exc).__name__
        with force_locale(report.locale):
            error = f"{FAILED_AT.get(step, STEPS['failed'][1])}: {detail}"[:4000]
            message = str(STEPS["failed"][1])
        report.status = ReportStatus.FAILED
        report.error = error
        report.files = []
        report.finished_at = utcnow()
        job = db.session.get(Job, report.job_id) if report.job_id else None
        if job is not None:
            fail_job(job, error=error, message=message)
            job.result = {"report_id": report_id, "step": "failed", "failed_at": step}
        db.session.commit()
    except Exception:
        db.session.rollback()
        log.exception("could not mark season report %s as failed", report_id)


def summary_of(figures) -> dict:
    """Headline figures for lists and the API (JSON: decimals as strings)."""
    outcomes = figures.outcomes
    return {
        "generated_at": figures.generated_at.isoformat(),
        "provisional": bool(figures.provisional),
        "funnel": [{"key": s.key, "label": s.label, "count": s.count} for s in figures.funnel],
        "median_days_to_decision": figures.median_days_to_decision,
        "stages": len(figures.stages),
        "reviewers": len({r.reviewer_id for r in figures.reviewers}),
        "outcomes": None if outcomes is None else {
            "confirmed": outcomes.confirmed, "developed": outcomes.developed, "funded": outcomes.funded,
            "totals": [{"amount": str(t.amount), "currency": t.currency} for t in outcomes.totals],
            "total_uzs": None if outcomes.total_uzs is None else str(outcomes.total_uzs),
        },
    }


# --- Trying again --------------------------------------------------------------------------------------


def retry_report(report: SeasonReport, *, actor) -> SeasonReport:
    """A new report of the same season in the same language, queued after the caller commits. Only a
    failed report is retried; the failed one stays as it was."""
    if report.status != ReportStatus.FAILED:
        raise Conflict(_("Only a failed report can be tried again; this one is %(status)s.",
                         status=status_label(report.status)), code="report_not_failed")
    return request_report(report.season, actor=actor, locale=report.locale)


STATUS_LABELS = {
    ReportStatus.QUEUED: _l("queued"),
    ReportStatus.RUNNING: _l("being compiled"),
    ReportStatus.DONE: _l("ready"),
    ReportStatus.FAILED: _l("failed"),
}


def status_label(status) -> str:
    try:
        return str(STATUS_LABELS[ReportStatus(status)])
    except (KeyError, ValueError):
        return str(status)
