"""Schemas shared by the API modules."""
from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate

from incubator.core.pagination import MAX_PER_PAGE


class Text(fields.String):
    """A string that never carries a NUL character (PostgreSQL cannot store one)."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        if "\x00" in text:
            raise ValidationError("Must not contain a NUL character.")
        return text


class ProblemSchema(Schema):
    type = fields.String()
    title = fields.String()
    status = fields.Integer()
    detail = fields.String()
    errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()))
    code = fields.String(metadata={"description": "What went wrong, for programs: e.g. season_closed, lost_race"})


class PageArgs(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=10**6))
    per_page = fields.Integer(load_default=25, validate=validate.Range(min=1, max=MAX_PER_PAGE))


class PageSchema(Schema):
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    total = fields.Integer(required=True)
    pages = fields.Integer(required=True)


def page_of(item_schema, name: str) -> type[Schema]:
    return type(name, (PageSchema,), {"items": fields.List(fields.Nested(item_schema), required=True)})


def dump_page(page) -> dict:
    return {"items": page.items, "page": page.page, "per_page": page.per_page, "total": page.total,
            "pages": page.pages}


Translations = fields.Dict(keys=fields.String(), values=fields.String())
