"""The Celery application, bound to a Flask app so every task runs in its context."""
import logging

from celery.signals import worker_init, worker_ready

from incubator import create_app
from incubator.core.celery import ensure_broker_folders

flask_app = create_app()
ensure_broker_folders(flask_app)
celery_app = flask_app.extensions["celery"]
app = celery_app

import workers.tasks  # noqa: E402,F401  (registers the tasks)

REPORTS_QUEUE = "reports"
log = logging.getLogger(__name__)
_preloaded: dict[str, float] = {}


@worker_init.connect
def preload_reports(sender=None, **_kwargs) -> None:
    """A worker that consumes the reports queue loads WeasyPrint once when it starts (before its pool
    forks, so every child has it), not in the first report's PDF step: see render_pdf.preload."""
    queues = getattr(getattr(getattr(sender, "app", None), "amqp", None), "queues", None)
    consumed = getattr(queues, "consume_from", None) or {}
    if REPORTS_QUEUE not in consumed:
        return
    from incubator.reports.render_pdf import preload

    with flask_app.app_context():
        _preloaded["seconds"] = preload()


@worker_ready.connect
def log_preload(**_kwargs) -> None:
    """Said once the worker's logging is set up (it is not yet when worker_init runs)."""
    if "seconds" in _preloaded:
        log.info("reports worker: WeasyPrint preloaded in %.2f s", _preloaded["seconds"])
