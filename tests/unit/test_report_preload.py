"""A worker that compiles reports loads WeasyPrint when it starts (workers/app.py ->
incubator.reports.render_pdf.preload), so the first report's PDF step does not pay for it; other
workers do not."""
from __future__ import annotations

from types import SimpleNamespace

from incubator.reports import render_pdf


def test_preload_lays_out_a_report_in_each_language_once(app, monkeypatch):
    monkeypatch.setattr(render_pdf, "_preloaded", {})
    made = []
    real = render_pdf.render_pdf
    monkeypatch.setattr(render_pdf, "render_pdf", lambda figures: made.append(real(figures)) or made[-1])
    with app.app_context():
        assert render_pdf.preload() > 0
        assert render_pdf.preload() == 0.0  # already done: nothing more
    assert len(made) == 3 and all(pdf.startswith(b"%PDF-") for pdf in made)


def test_preload_never_raises(app, monkeypatch):
    monkeypatch.setattr(render_pdf, "_preloaded", {})
    monkeypatch.setattr(render_pdf, "render_pdf", lambda figures: 1 / 0)
    with app.app_context():
        assert render_pdf.preload() >= 0


def _worker(*queues):
    return SimpleNamespace(app=SimpleNamespace(amqp=SimpleNamespace(queues=SimpleNamespace(
        consume_from={name: object() for name in queues}))))


def test_only_a_worker_on_the_reports_queue_preloads(app, monkeypatch):
    import workers.app as worker_app

    calls = []
    monkeypatch.setattr(render_pdf, "preload", lambda: calls.append(1) or 1.5)
    monkeypatch.setattr(worker_app, "_preloaded", {})
    worker_app.preload_reports(sender=_worker("mail"))
    worker_app.preload_reports(sender=_worker("default", "mail"))
    assert calls == [] and worker_app._preloaded == {}
    worker_app.preload_reports(sender=_worker("mail", "reports", "default"))
    assert calls == [1] and worker_app._preloaded == {"seconds": 1.5}
