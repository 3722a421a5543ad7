"""Property-based contract tests: every operation of /api/v1/openapi.json, fuzzed by Schemathesis.

The document is loaded from the Flask app itself (WSGI, in process). For every operation,
Hypothesis generates requests from the operation's strategy, sends them to the app, and every
response must

  * not be a server error (5xx),
  * use a status code the document declares,
  * use a content type the document declares,
  * match the response schema the document declares.

Each operation runs anonymously and with a bearer token of a verified founder (obtained through
POST /api/v1/auth/tokens), with valid data (positive) and with data the document forbids
(negative). The database holds a public program with an open season (a question, a stage with a
criterion), an in-app notification and a spare API token; the positive runs also send requests
pinned to those ids and valid register/token bodies, so the 200/201/204 responses are validated
with real objects, not only 404s and empty pages.

Two defects this test found in the document are pinned by the last two tests: error responses
documented as application/json while sent as application/problem+json (the shared
#/components/responses were not rewritten), and decimals documented as numbers while sent as
strings.

Why not `schemathesis.pytest.from_fixture(...)`: with pytest 9 its lazy mode fails with
AttributeError (it reads `request.node._nodeid`, which pytest 9 renamed). And the schema cannot be
loaded at collection time, since the app is a session fixture. So each test loops over
`schema.get_all_operations()`, runs a bounded Hypothesis test per operation, and reports each
operation as a pytest subtest.

Depth: FUZZ_EXAMPLES (default 25 per operation and mode), e.g. `FUZZ_EXAMPLES=400 FUZZ_RANDOM=1 pytest ...`
for a deeper, randomised run.
"""
from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.core.result import Ok
from schemathesis.generation import GenerationMode

from tests.support import factories as f
from tests.support.factories_fixtures import bearer

OPENAPI_PATH = "/api/v1/openapi.json"
PROBLEM_JSON = "application/problem+json"
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
MAX_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))


def fuzz_settings(max_examples: int) -> settings:
    return settings(
        max_examples=max_examples,
        deadline=None,
        # The same cases on every run, so a CI failure is reproducible rather than flaky;
        # FUZZ_RANDOM=1 explores new ones (Hypothesis then prints the seed of a failure).
        derandomize=not os.environ.get("FUZZ_RANDOM"),
        database=None,
        print_blob=True,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.filter_too_much,
            HealthCheck.data_too_large,
        ],
    )


# --- Document checks --------------------------------------------------------------------------

def _error_responses(doc: dict):
    """(where, response object) of every 4xx/5xx/default response, following $refs to
    #/components/responses."""
    components = doc.get("components", {}).get("responses", {})
    for path, item in doc.get("paths", {}).items():
        for method, operation in item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for code, response in operation["responses"].items():
                if not (code == "default" or str(code)[0] in "45"):
                    continue
                ref = response.get("$ref", "")
                if ref.startswith("#/components/responses/"):
                    name = ref.rsplit("/", 1)[-1]
                    yield f"{method.upper()} {path} {code} -> {ref}", components.get(name, {})
                else:
                    yield f"{method.upper()} {path} {code}", response


def errors_not_documented_as_problem_json(doc: dict) -> list[str]:
    return [where for where, response in _error_responses(doc)
            if "content" in response and set(response["content"]) != {PROBLEM_JSON}]


# marshmallow fields.Decimal(as_string=True) is sent as a JSON string ("1.000"); apispec documents
# it as {"type": "number"} unless the field says otherwise.
DECIMAL_AS_STRING = {
    "CriterionOut": ["weight"],
    "QuestionOut": ["min_value", "max_value"],
}


def decimals_not_documented_as_strings(doc: dict) -> list[str]:
    schemas = doc.get("components", {}).get("schemas", {})
    return [f"{name}.{prop}: {schemas.get(name, {}).get('properties', {}).get(prop)}"
            for name, props in DECIMAL_AS_STRING.items() for prop in props
            if schemas.get(name, {}).get("properties", {}).get(prop, {}).get("type") != "string"]


# --- Fixtures --------------------------------------------------------------------------------------

@pytest.fixture
def no_rate_limits(app):
    """Flask-Limiter reads RATELIMIT_ENABLED only in init_app: switch the extension itself off."""
    from incubator.extensions import limiter

    was = limiter.enabled
    limiter.enabled = False
    try:
        yield
    finally:
        limiter.enabled = was


@pytest.fixture
def served_document(app) -> dict:
    return schemathesis.openapi.from_wsgi(OPENAPI_PATH, app).raw_schema


@pytest.fixture
def api_data(app):
    """A public program with an open season, a question and a stage with a criterion."""
    program = f.ProgramFactory(name="InnoX")
    season = f.SeasonFactory(program=program, name="Season 3",
                             description={"en": "Third call", "ru": "Третий набор", "uz": "Uchinchi qabul"})
    f.QuestionFactory(season=season)
    stage = f.StageFactory(season=season, position=1)
    f.CriterionFactory(stage=stage, key="team")
    return season


class Bearer:
    """A live token of a verified founder, issued through the API; issued again after a fuzzed
    DELETE /auth/tokens/{id} revoked one of the founder's tokens (it may have been this one)."""

    def __init__(self, client, user):
        self.client = client
        self.user = user
        self.token = ""
        self.renew()

    def renew(self) -> None:
        response = self.client.post("/api/v1/auth/tokens",
                                    json={"email": self.user.email, "password": f.PASSWORD, "name": "fuzz"})
        assert response.status_code == 201, response.get_data(as_text=True)
        self.token = response.json["token"]

    def headers(self) -> dict:
        return bearer(self.token)


@pytest.fixture
def founder(app):
    return f.UserFactory(email="fuzz-founder@example.org", name="Fuzz Founder")


@pytest.fixture
def founder_bearer(client, no_rate_limits, founder):
    return Bearer(client, founder)


@pytest.fixture
def known_ids(app, api_data, founder) -> dict[str, int]:
    """Path parameters that name existing objects."""
    from incubator.accounts.api_tokens import issue_token
    from incubator.extensions import db
    from incubator.notifications.services import queue_notification

    note = queue_notification(user=founder, kind="test_message", dedupe_key="fuzz:inapp",
                              link="http://localhost/", via_email=False)
    spare, _ = issue_token(founder, name="spare")
    db.session.commit()
    return {"program_id": api_data.program_id, "season_id": api_data.id,
            "notification_id": note.id, "token_id": spare.id}


@pytest.fixture
def api_schema(app, no_rate_limits):
    return schemathesis.openapi.from_wsgi(OPENAPI_PATH, app)


# --- Running ---------------------------------------------------------------------------------------

def all_operations(schema):
    operations = []
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), f"the OpenAPI document has an invalid operation: {result.err()}"
        operations.append(result.ok())
    assert operations, "the OpenAPI document lists no operation"
    return operations


def fuzz(operation, mode: GenerationMode, auth: Bearer | None, max_examples: int = MAX_EXAMPLES,
         **fixed) -> None:
    @given(case=operation.as_strategy(generation_mode=mode, **fixed))
    @fuzz_settings(max_examples)
    def run(case):
        headers = auth.headers() if auth is not None else None
        response = case.call_and_validate(headers=headers, checks=CHECKS)
        if auth is not None and case.method.upper() == "DELETE" and response.status_code == 204:
            auth.renew()

    run()


def pinned_inputs(operation, known_ids: dict[str, int], founder) -> list[dict]:
    """Extra positive runs that reach the success responses random data rarely reaches."""
    runs = []
    names = [p.name for p in operation.path_parameters]
    if names and all(name in known_ids for name in names):
        runs.append({"path_parameters": {name: known_ids[name] for name in names}})
    if operation.method.upper() == "POST" and operation.path.endswith("/auth/tokens"):
        runs.append({"body": {"email": founder.email, "password": f.PASSWORD, "name": "pinned"}})
    if operation.method.upper() == "POST" and operation.path.endswith("/auth/register"):
        runs.append({"body": {"email": "new-founder@example.org", "password": "Another-Horse-77",
                              "name": "New Founder", "locale": "uz", "timezone": "Asia/Samarkand"}})
    return runs


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=lambda m: m.value)
@pytest.mark.parametrize("authenticated", [False, True], ids=["anonymous", "bearer"])
def test_every_operation_conforms(api_schema, known_ids, founder, request, subtests, authenticated, mode):
    auth = request.getfixturevalue("founder_bearer") if authenticated else None
    for operation in all_operations(api_schema):
        if mode is GenerationMode.POSITIVE:  # first, before random ids may revoke the spare token
            for fixed in pinned_inputs(operation, known_ids, founder):
                with subtests.test(msg=f"{operation.label} with {', '.join(sorted(fixed))} pinned"):
                    fuzz(operation, mode, auth, max_examples=5, **fixed)
        with subtests.test(msg=operation.label):
            fuzz(operation, mode, auth)


# --- Regressions: defects the fuzzing found in the document ------------------------------------

def test_document_declares_problem_json_for_errors(served_document):
    """Every error is sent as application/problem+json (incubator/api/problems.py), so every error
    response must say so, including the shared #/components/responses flask-smorest $refs."""
    assert errors_not_documented_as_problem_json(served_document) == []


def test_document_types_decimals_as_sent(served_document):
    assert decimals_not_documented_as_strings(served_document) == []
