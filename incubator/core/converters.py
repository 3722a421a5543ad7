"""URL converters. `<id:x>` matches 1..2^31-1 only: an id past any integer range is a 404, not a 500."""
from __future__ import annotations

from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    def __init__(self, map, **kwargs):
        super().__init__(map, min=1, max=MAX_ID, **kwargs)
