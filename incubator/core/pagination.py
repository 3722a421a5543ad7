"""Pagination for lists: two queries (the page and the total), whatever the page size."""
from __future__ import annotations

from dataclasses import dataclass
from math import ceil
from typing import Any

from sqlalchemy import Select, func, select

from incubator.extensions import db

MAX_PER_PAGE = 200


@dataclass
class Page:
    items: list[Any]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / self.per_page)) if self.per_page else 1

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def clamp(page: Any, per_page: Any, default_per_page: int = 25) -> tuple[int, int]:
    try:
        page_n = int(page)
    except (TypeError, ValueError):
        page_n = 1
    try:
        per_n = int(per_page)
    except (TypeError, ValueError):
        per_n = default_per_page
    return max(1, min(page_n, 10**6)), max(1, min(per_n, MAX_PER_PAGE))


def paginate(stmt: Select, page: int, per_page: int, *, scalars: bool = True) -> Page:
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    paged = stmt.limit(per_page).offset((page - 1) * per_page)
    result = db.session.execute(paged)
    items = list(result.scalars().unique()) if scalars else list(result)
    return Page(items=items, page=page, per_page=per_page, total=total)
