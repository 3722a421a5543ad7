"""Freezing the server clock: the one thing tests may mock, and only where a deadline is the point."""
from __future__ import annotations

import sys
from contextlib import contextmanager
from datetime import datetime

from incubator.core import timeutil

_real = timeutil.utcnow


@contextmanager
def frozen(moment: datetime):
    patched = []

    def fake():
        return moment

    for name, module in list(sys.modules.items()):
        if name.startswith("incubator") and getattr(module, "utcnow", None) is _real:
            module.utcnow = fake
            patched.append(module)
    try:
        yield
    finally:
        for module in patched:
            module.utcnow = _real
