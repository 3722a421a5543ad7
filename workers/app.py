"""The Celery application, bound to a Flask app so every task runs in its context."""
from incubator import create_app
from incubator.core.celery import ensure_broker_folders

flask_app = create_app()
ensure_broker_folders(flask_app)
celery_app = flask_app.extensions["celery"]
app = celery_app

import workers.tasks  # noqa: E402,F401  (registers the tasks)
