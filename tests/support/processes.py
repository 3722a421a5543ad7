"""Real Celery worker processes for tests: started, killed, restarted."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CELERY = str(Path(sys.executable).with_name("celery"))


class WorkerProcess:
    def __init__(self, env: dict, *, beat: bool = False, pool: str = "solo", concurrency: int = 1,
                 queues: str = "mail,reports,default", log_path: Path | None = None):
        self.env = env
        self.args = [CELERY, "-A", "workers.app", "worker", "--loglevel", "WARNING", "-Q", queues,
                     "--pool", pool, "--concurrency", str(concurrency),
                     "--without-gossip", "--without-mingle", "--without-heartbeat"]
        if beat:
            self.args.append("-B")
            self.args += ["--schedule", str(Path(env["INSTANCE_PATH"]) / f"beat-{os.getpid()}-{time.time_ns()}")]
        self.log_path = log_path
        self.proc: subprocess.Popen | None = None

    def start(self) -> "WorkerProcess":
        log = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL
        self.proc = subprocess.Popen(self.args, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        return self

    def kill(self) -> None:
        """SIGKILL the whole process group: no warm shutdown, nothing acknowledged."""
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
