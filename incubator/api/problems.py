"""RFC 9457 problem details for every API failure."""
from __future__ import annotations

from flask import Response, json
from werkzeug.http import HTTP_STATUS_CODES

PROBLEM_MIME = "application/problem+json"


def problem(status: int, detail: str | None = None, *, title: str | None = None,
            errors: dict | None = None, type_: str | None = None, headers: dict | None = None,
            **extra) -> Response:
    body = {
        "type": type_ or "about:blank",
        "title": title or HTTP_STATUS_CODES.get(status, "Error"),
        "status": status,
        "detail": str(detail) if detail else HTTP_STATUS_CODES.get(status, "Error"),
    }
    if errors:
        body["errors"] = {k: [str(m) for m in v] for k, v in errors.items()}
    body.update(extra)
    response = Response(json.dumps(body, ensure_ascii=False), status=status, mimetype=PROBLEM_MIME)
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def flatten_webargs_messages(messages) -> dict[str, list[str]]:
    """webargs gives {"json": {"field": ["msg"]}, "query": {...}}: keep field -> messages."""
    flat: dict[str, list[str]] = {}

    def walk(prefix: str, value) -> None:
        if isinstance(value, dict):
            for key, sub in value.items():
                walk(f"{prefix}.{key}" if prefix else str(key), sub)
        elif isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
            flat.setdefault(prefix or "_body", []).extend(value)
        elif isinstance(value, (list, tuple)):
            for i, sub in enumerate(value):
                walk(f"{prefix}.{i}", sub)
        else:
            flat.setdefault(prefix or "_body", []).append(str(value))

    if isinstance(messages, dict):
        for location, fields in messages.items():
            walk("", fields) if isinstance(fields, dict) else walk(str(location), fields)
    else:
        walk("", messages)
    return flat
