"""Asking for a season report: the report row, its job, and the task queued after commit.

The compilation itself (figures -> files, with progress) is `reports.pipeline.compile_report`, run by
the `reports.compile` task on the `reports` queue."""
from __future__ import annotations

from incubator.core.dispatch import enqueue_after_commit
from incubator.extensions import db
from incubator.jobs.services import create_job
from incubator.programs.models import Season, SeasonStatus
from incubator.reports.models import ReportStatus, SeasonReport

COMPILE_TASK = "reports.compile"
JOB_KIND = "season_report"
LOCALES = ("en", "ru", "uz")


def request_report(season: Season, *, actor, locale: str | None = None) -> SeasonReport:
    """A new report of the season in `locale` (the program's language by default), queued for the
    workers once the caller commits. The caller has checked that the actor manages the program."""
    locale = locale if locale in LOCALES else (season.program.default_locale if season.program.default_locale
                                                in LOCALES else "en")
    job = create_job(kind=JOB_KIND, actor=actor, subject_type="season_report", total=100)
    report = SeasonReport(season_id=season.id, job_id=job.id, status=ReportStatus.QUEUED, locale=locale,
                          provisional=season.status != SeasonStatus.CLOSED,
                          requested_by_id=getattr(actor, "id", None), files=[], summary={})
    db.session.add(report)
    db.session.flush()
    job.subject_id = report.id
    enqueue_after_commit(db.session, COMPILE_TASK, report_id=report.id)
    return report
