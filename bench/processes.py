"""The processes a bench run starts: gunicorn and Celery workers. Each is recorded when started and
stopped by its own PID (its process group), on success, on error and on Ctrl-C alike."""
from __future__ import annotations

import atexit
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
_started: list[subprocess.Popen] = []


def free_port() -> int:
    """A port nobody listens on now (bound to port 0, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _spawn(args: list[str], env: dict, log_path: Path) -> subprocess.Popen:
    log = open(log_path, "ab")
    proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    log.close()
    _started.append(proc)
    return proc


def stop(proc: subprocess.Popen | None, timeout: float = 15) -> None:
    """SIGTERM to the process group we started (never anything else), then SIGKILL if it lingers."""
    if proc is None:
        return
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait(timeout=10)
    if proc in _started:
        _started.remove(proc)


def stop_all() -> None:
    for proc in list(reversed(_started)):
        stop(proc)


def _on_signal(signum, frame):
    stop_all()
    raise KeyboardInterrupt if signum == signal.SIGINT else SystemExit(128 + signum)


def install_cleanup() -> None:
    atexit.register(stop_all)
    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)


def children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(x) for x in text.split()]


def memory_kb(pid: int) -> dict[str, int]:
    """VmRSS (now) and VmHWM (the peak) of a process, in kB ({} when unreadable, e.g. not Linux)."""
    out = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(("VmRSS:", "VmHWM:")):
                key, value = line.split(":", 1)
                out[key] = int(value.split()[0])
    except OSError:
        pass
    return out


class Gunicorn:
    """gunicorn -w N on 127.0.0.1:<free port>, ready when /healthz answers."""

    def __init__(self, env: dict, log_path: Path, workers: int = 2):
        self.env, self.log_path, self.workers = env, log_path, workers
        self.port = free_port()
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60) -> "Gunicorn":
        import requests

        args = [str(BIN / "gunicorn"), "-w", str(self.workers), "-b", f"127.0.0.1:{self.port}", "--timeout", "120",
                "--no-control-socket", "bench.wsgi_timed:app"]
        self.proc = _spawn(args, self.env, self.log_path)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.proc.returncode}; see {self.log_path}")
            try:
                if requests.get(self.url + "/healthz", timeout=2).status_code == 200 and \
                        len(self.worker_pids()) >= self.workers:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer within {timeout} s; see {self.log_path}")

    def worker_pids(self) -> list[int]:
        return children(self.proc.pid) if self.proc else []

    def stop(self) -> None:
        stop(self.proc)
        self.proc = None


class CeleryWorker:
    """One `celery worker` node: prefork with `concurrency` processes (solo when 1), on the given queues.
    Ready when its log says so."""

    def __init__(self, env: dict, log_path: Path, *, queues: str, concurrency: int = 1, name: str = "bench"):
        pool = "solo" if concurrency == 1 else "prefork"
        self.args = [str(BIN / "celery"), "-A", "workers.app", "worker", "--loglevel", "INFO", "-Q", queues,
                     "--pool", pool, "--concurrency", str(concurrency), "-n", f"{name}-{os.getpid()}@%h",
                     "--without-gossip", "--without-mingle", "--without-heartbeat"]
        self.env, self.log_path = env, log_path
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 60) -> "CeleryWorker":
        offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        self.proc = _spawn(self.args, self.env, self.log_path)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"celery worker exited with {self.proc.returncode}; see {self.log_path}")
            with open(self.log_path, "rb") as f:
                f.seek(offset)
                if b" ready." in f.read():
                    return self
            time.sleep(0.2)
        raise RuntimeError(f"celery worker not ready within {timeout} s; see {self.log_path}")

    def pids(self) -> list[int]:
        if not self.proc:
            return []
        return [self.proc.pid, *children(self.proc.pid)]

    def stop(self) -> None:
        stop(self.proc, timeout=30)
        self.proc = None
