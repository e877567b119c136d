"""schemathesis generates requests from /api/v1/openapi.json and checks every answer
against the same document: no 500, only documented status codes, content types and
headers, and bodies that match their schemas (required properties, types, formats,
nullable, no undeclared properties). Bounded to a few examples per endpoint, on a
database with the demo content (neighbourhoods, series, organisations, offers, news)."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from wijk import create_app
from wijk.clock import local_now
from wijk.demo.content import load_content
from wijk.demo.seed import seed_demo
from wijk.extensions import limiter
from wijk.models.base import utcnow

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,  # what the document forbids is refused (400/404)
]


def served_document() -> dict:
    """The document exactly as /api/v1/openapi.json serves it (it needs no database).
    Loaded when the tests are collected, so each endpoint becomes a test of its own
    (schemathesis' fixture loader does not run under this pytest version)."""
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    with app.test_client() as client:
        return client.get("/api/v1/openapi.json").get_json()


schema = schemathesis.openapi.from_dict(served_document())


@pytest.fixture
def demo_app(app):
    seed_demo(load_content(), local_now().date(), utcnow())
    limiter.enabled = False  # the fuzzer's bursts are not what this checks
    yield app
    limiter.enabled = True


@schema.parametrize()
@settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_answers_as_its_document_says(case, demo_app):
    case.operation.schema.app = demo_app  # in-process WSGI calls, on the test database
    case.call_and_validate(checks=CHECKS, app=demo_app)
