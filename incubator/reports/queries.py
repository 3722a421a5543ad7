"""Reads of season reports, scoped to the managers of the season's program (NotFound for anyone
else), with what a list or a report page shows loaded in a bounded number of queries."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from incubator.accounts.models import User
from incubator.extensions import db
from incubator.jobs.models import Job
from incubator.jobs.services import JobState, job_state
from incubator.programs.models import Season
from incubator.programs.queries import object_for_manager
from incubator.reports.models import ReportStatus, SeasonReport


def report_for_manager(user, report_id) -> SeasonReport:
    """The report if the user manages its season's program; NotFound otherwise (never confirming
    that it exists)."""
    return object_for_manager(user, SeasonReport, report_id, lambda report: report.season.program)


def season_reports(season: Season) -> Select:
    """The season's reports, newest first (a select of SeasonReport, for paginate)."""
    return (select(SeasonReport).where(SeasonReport.season_id == season.id)
            .options(selectinload(SeasonReport.season).selectinload(Season.program))
            .order_by(SeasonReport.created_at.desc(), SeasonReport.id.desc()))


@dataclass(frozen=True)
class ReportRow:
    report: SeasonReport
    requested_by: str | None
    job: JobState | None


def report_rows(reports: list[SeasonReport]) -> list[ReportRow]:
    """Who asked for each report and its job's state: two queries for the whole page."""
    user_ids = {r.requested_by_id for r in reports if r.requested_by_id}
    job_ids = {r.job_id for r in reports if r.job_id}
    names = dict(db.session.execute(select(User.id, User.name).where(User.id.in_(user_ids))).all()) if user_ids else {}
    jobs = {j.id: j for j in db.session.scalars(select(Job).where(Job.id.in_(job_ids)))} if job_ids else {}
    return [ReportRow(report=r, requested_by=names.get(r.requested_by_id),
                      job=job_state(jobs[r.job_id]) if r.job_id in jobs else None) for r in reports]


def report_job(report: SeasonReport) -> JobState | None:
    job = db.session.get(Job, report.job_id) if report.job_id else None
    return job_state(job) if job is not None else None


def report_file(report: SeasonReport, name: str) -> dict | None:
    """A file of a finished report, by its name; None for an unknown name or a report not done."""
    if report.status != ReportStatus.DONE or not isinstance(name, str):
        return None
    return next((f for f in report.files or [] if f.get("name") == name), None)


def progress_of(report: SeasonReport, job: JobState | None) -> int:
    """0..100: the job's percentage while the report is being compiled; 100 once it is finished."""
    if report.status in (ReportStatus.DONE, ReportStatus.FAILED):
        return 100
    return job.percent if job is not None else 0
