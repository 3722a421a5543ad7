"""Multipart request bodies for the API: one "multipart" location holding the form fields and the
file parts, read and documented as one schema (flask-smorest documents one request body per
operation, so separate "form" and "files" arguments would leave one undocumented)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_smorest import Blueprint
from flask_smorest.fields import Upload
from marshmallow import ValidationError
from webargs.flaskparser import FlaskParser
from webargs.multidictproxy import MultiDictProxy
from werkzeug.datastructures import CombinedMultiDict, FileStorage


class MultipartParser(FlaskParser):
    """Adds the "multipart" location."""

    __location_map__ = {**FlaskParser.__location_map__, "multipart": "load_multipart"}

    def load_multipart(self, req, schema):
        return MultiDictProxy(CombinedMultiDict([req.files, req.form]), schema)


class FilePart(Upload):
    """A file part of a multipart body (a text field of the same name is refused)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, FileStorage):
            raise ValidationError(str(_l("Send the file as a file part of a multipart/form-data body.")))
        return value




def accept_multipart(blp: Blueprint) -> None:
    """Let a blueprint's operations take `location="multipart"` arguments."""
    blp.ARGUMENTS_PARSER = MultipartParser()
    blp.DEFAULT_LOCATION_CONTENT_TYPE_MAPPING = {**Blueprint.DEFAULT_LOCATION_CONTENT_TYPE_MAPPING,
                                                 "multipart": "multipart/form-data"}
