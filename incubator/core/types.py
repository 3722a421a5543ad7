"""Column types shared by every domain."""
from __future__ import annotations

from datetime import UTC

from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes in and out, on SQLite (which keeps no zone) as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use aware UTC datetimes")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def render_item(type_, obj, autogen_context):
    """Alembic: write UTCDateTime as a plain timezone-aware DateTime in migration scripts."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def str_enum(enum_cls, name: str, length: int = 16):
    """A StrEnum column stored as VARCHAR with a CHECK constraint (no native enum type to migrate)."""
    from sqlalchemy import Enum

    return Enum(enum_cls, native_enum=False, create_constraint=True, length=length, name=name,
                values_callable=lambda e: [m.value for m in e])
