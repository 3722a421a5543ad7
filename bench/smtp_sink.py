"""A real SMTP server (aiosmtpd, in the bench process) that counts what it receives by Message-ID.

It reads only the Message-ID header (a bytes search, no MIME parsing), so the sink costs as little
as it can and the figure measured is the senders'."""
from __future__ import annotations

import re
import threading
import time
from collections import Counter

from aiosmtpd.controller import Controller

from bench.processes import free_port

MESSAGE_ID = re.compile(rb"^Message-ID:\s*(<[^>\r\n]+>)", re.IGNORECASE | re.MULTILINE)


class _Handler:
    def __init__(self, sink: "CountingSink"):
        self.sink = sink

    async def handle_DATA(self, server, session, envelope):
        head = envelope.content.split(b"\r\n\r\n", 1)[0]
        found = MESSAGE_ID.search(head)
        self.sink.received(found.group(1).decode() if found else "")
        return "250 Message accepted for delivery"


class CountingSink:
    def __init__(self):
        self.port = free_port()
        self.lock = threading.Lock()
        self.ids: Counter[str] = Counter()
        self.first: float | None = None
        self.last: float | None = None
        self.controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port)

    def start(self) -> "CountingSink":
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    def reset(self) -> None:
        with self.lock:
            self.ids.clear()
            self.first = self.last = None

    def received(self, message_id: str) -> None:
        now = time.perf_counter()
        with self.lock:
            self.ids[message_id] += 1
            if self.first is None:
                self.first = now
            self.last = now

    def count(self, wanted: set[str] | None = None) -> tuple[int, int, int]:
        """(distinct wanted ids received, duplicates among them, messages not wanted)."""
        with self.lock:
            if wanted is None:
                return len(self.ids), sum(c - 1 for c in self.ids.values()), 0
            distinct = sum(1 for m in self.ids if m in wanted)
            dup = sum(c - 1 for m, c in self.ids.items() if m in wanted)
            other = sum(c for m, c in self.ids.items() if m not in wanted)
            return distinct, dup, other

    def wait_for(self, wanted: set[str], timeout: float, quiet: float = 2.0) -> bool:
        """Until every wanted id arrived (then `quiet` more seconds, to catch duplicates) or the timeout."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.count(wanted)[0] >= len(wanted):
                time.sleep(quiet)
                return True
            time.sleep(0.1)
        return False
