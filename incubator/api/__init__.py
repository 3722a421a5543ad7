"""The JSON API under /api/v1 (flask-smorest), with problem+json errors and the OpenAPI document."""
from __future__ import annotations

import logging

from flask import Flask, current_app, jsonify, request
from flask_smorest import Api
from werkzeug.exceptions import HTTPException

from incubator.api.auth import Unauthorized, load_api_user
from incubator.api.problems import flatten_webargs_messages, problem
from incubator.core.converters import MAX_ID, IdConverter
from incubator.core.errors import DomainError, RuleViolation

log = logging.getLogger(__name__)
API_PREFIX = "/api/"
JSON_MIMES = {"application/json", "application/merge-patch+json"}


def is_api_request() -> bool:
    return request.path.startswith(API_PREFIX)


class IncubatorApi(Api):
    def handle_http_exception(self, error: HTTPException):
        if not is_api_request():
            from incubator.web.errors import render_http_error

            return render_http_error(error)
        data = getattr(error, "data", None) or {}
        errors = None
        detail = error.description
        if "messages" in data:
            errors = flatten_webargs_messages(data["messages"])
            detail = "Some fields are not valid: see errors."
        if error.code == 413:
            limit_mb = current_app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024)
            detail = f"The request body is too large: the limit is {limit_mb} MB."
        headers = {}
        if error.code == 405 and getattr(error, "valid_methods", None):
            headers["Allow"] = ", ".join(error.valid_methods)
        if error.code == 429:
            detail = f"Too many requests: {error.description}. Wait a little and try again."
        return problem(error.code or 500, detail, errors=errors, headers=headers)


def _register_spec(app: Flask, api: Api) -> None:
    def spec_json():
        spec = api.spec.to_dict()

        def as_problem(response: dict) -> None:
            content = response.get("content") or {}
            if "application/json" in content:
                content["application/problem+json"] = content.pop("application/json")

        for path_item in spec.get("paths", {}).values():
            for operation in path_item.values():
                if isinstance(operation, dict):
                    for code, response in operation.get("responses", {}).items():
                        if code == "default" or str(code)[0] in "45":
                            as_problem(response)
        # Shared error responses (DEFAULT_ERROR, UNPROCESSABLE_ENTITY, ...) are all problem details.
        for response in spec.get("components", {}).get("responses", {}).values():
            as_problem(response)
        return jsonify(spec)

    app.add_url_rule("/api/v1/openapi.json", "api_openapi_json", spec_json)


def init_api(app: Flask) -> IncubatorApi:
    from incubator.api.schemas import ProblemSchema
    from incubator.extensions import csrf

    IncubatorApi.ERROR_SCHEMA = ProblemSchema
    app.config["OPENAPI_URL_PREFIX"] = None  # we serve the document ourselves, post-processed
    api = IncubatorApi(app)
    api.register_converter(IdConverter, lambda conv: {"type": "integer", "minimum": 1, "maximum": MAX_ID})
    api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})

    from incubator.api import (
        accounts, applications, assignments, attachments, jobs, leaderboard, letters, manager_seasons,
        notifications, programs, reviewers, selection, stage_assignments, startups,
    )
    from incubator.api import closing
    from incubator.api import outcomes
    from incubator.api import dashboard
    from incubator.api import reports

    for module in (accounts, programs, notifications, startups, applications, attachments, manager_seasons,
                   reviewers, stage_assignments, assignments, leaderboard, selection, letters, jobs, closing, outcomes,
                   dashboard, reports):
        csrf.exempt(module.blp)
        api.register_blueprint(module.blp, url_prefix="/api/v1")

    _register_spec(app, api)

    @app.before_request
    def _api_before():
        if not is_api_request():
            return None
        load_api_user()
        if request.method in {"POST", "PUT", "PATCH"} and (request.content_length or request.data):
            mimetype = request.mimetype or ""
            if mimetype not in JSON_MIMES and not mimetype.startswith("multipart/form-data"):
                return problem(415, f"Send JSON (Content-Type: application/json), not “{mimetype or 'nothing'}”.")
        return None

    @app.errorhandler(Unauthorized)
    def _unauthorized(exc: Unauthorized):
        return problem(401, str(exc.detail), headers={"WWW-Authenticate": 'Bearer realm="incubator"'})

    @app.errorhandler(DomainError)
    def _domain_error(exc: DomainError):
        from incubator.extensions import db

        db.session.rollback()
        if is_api_request():
            errors = exc.errors if isinstance(exc, RuleViolation) else None
            code = exc.extra.get("code")
            return problem(exc.status, exc.message, errors=errors, **({"code": code} if code else {}))
        from incubator.web.errors import render_error_page

        # A bare NotFound gets the friendly page text; a specific message is shown as it is.
        return render_error_page(exc.status, None if exc.message == exc.title else exc.message)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        if isinstance(exc, HTTPException):
            return api.handle_http_exception(exc)
        log.exception("unhandled error on %s %s", request.method, request.path)
        from incubator.extensions import db

        db.session.rollback()
        if is_api_request():
            return problem(500, "Something went wrong on our side. Nothing was saved; please try again.")
        from incubator.web.errors import render_error_page

        return render_error_page(500)

    return api
