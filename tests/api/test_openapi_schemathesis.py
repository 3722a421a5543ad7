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
criterion) and an in-app notification, so 200 responses carry real objects, not only empty pages.

Why not `schemathesis.pytest.from_fixture(...)`: its lazy mode reads `request.node._nodeid`, which
pytest 9 no longer has (AttributeError). And the schema cannot be loaded at collection time: the app
is a session fixture. So each test loops over `schema.get_all_operations()`, runs a bounded
Hypothesis test per operation, and reports each operation as a pytest subtest.
"""
from __future__ import annotations

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
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

# Bounded: 25 examples per operation and mode keeps the whole file well under a minute.
FUZZ_SETTINGS = settings(
    max_examples=25,
    deadline=None,
    database=None,
    print_blob=True,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
    ],
)


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
def api_data(app):
    """A public program with an open season, a question and a stage with a criterion."""
    program = f.ProgramFactory(name="InnoX")
    season = f.SeasonFactory(program=program, name="Season 3",
                             description={"en": "Third call", "ru": "Третий набор", "uz": "Uchinchi qabul"})
    f.QuestionFactory(season=season)
    stage = f.StageFactory(season=season, position=1)
    f.CriterionFactory(stage=stage, key="team")
    return season


@pytest.fixture
def api_schema(app, no_rate_limits, api_data):
    return schemathesis.openapi.from_wsgi(OPENAPI_PATH, app)


class Bearer:
    """A live token of a verified founder, issued through the API; issued again after a fuzzed
    DELETE /auth/tokens/{id} revoked one (it may have been this one)."""

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
def founder_bearer(app, client, no_rate_limits):
    from incubator.extensions import db
    from incubator.notifications.services import queue_notification

    user = f.UserFactory(email="fuzz-founder@example.org", name="Fuzz Founder")
    queue_notification(user=user, kind="test_message", dedupe_key="fuzz:inapp", link="http://localhost/",
                       via_email=False)
    db.session.commit()
    return Bearer(client, user)


def all_operations(schema):
    operations = []
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), f"the OpenAPI document has an invalid operation: {result.err()}"
        operations.append(result.ok())
    assert operations, "the OpenAPI document lists no operation"
    return operations


def fuzz(operation, mode: GenerationMode, auth: Bearer | None) -> None:
    @given(case=operation.as_strategy(generation_mode=mode))
    @FUZZ_SETTINGS
    def run(case):
        headers = auth.headers() if auth is not None else None
        response = case.call_and_validate(headers=headers, checks=CHECKS)
        if auth is not None and case.method.upper() == "DELETE" and response.status_code == 204:
            auth.renew()

    run()


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=lambda m: m.value)
@pytest.mark.parametrize("authenticated", [False, True], ids=["anonymous", "bearer"])
def test_every_operation_conforms(api_schema, request, subtests, authenticated, mode):
    auth = request.getfixturevalue("founder_bearer") if authenticated else None
    for operation in all_operations(api_schema):
        with subtests.test(msg=operation.label):
            fuzz(operation, mode, auth)
