"""What the bench's gunicorn serves: the app of wsgi.py, wrapped so every answer carries a
Server-Timing header with the request's wall time and the CPU time of the worker thread that served it
(`Server-Timing: app;dur=12.3, cpu;dur=8.1`). The CPU figure is the steadier one on a busy machine.

Nothing in the app changes: the measurement ends when the app calls start_response (Flask does it
once the response is complete, after the view and the after_request hooks)."""
from __future__ import annotations

import time

from wsgi import app

_inner = app.wsgi_app


def _timed(environ, start_response):
    wall, cpu = time.perf_counter(), time.thread_time()

    def start(status, headers, exc_info=None):
        headers = list(headers) + [("Server-Timing", f"app;dur={(time.perf_counter() - wall) * 1000:.2f}, "
                                                     f"cpu;dur={(time.thread_time() - cpu) * 1000:.2f}")]
        return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

    return _inner(environ, start)


app.wsgi_app = _timed
