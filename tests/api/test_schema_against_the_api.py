"""Requests generated from the OpenAPI schema, sent over HTTP to a live server: no answer is a 5xx,
and every documented answer has the documented shape."""

import json

import pytest
import schemathesis
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi import checks

from tests.api.conftest import receive_sample

schema = schemathesis.openapi.from_dict(
    json.loads(OpenApiJsonRenderer().render(SchemaGenerator().get_schema(request=None, public=True)))
)


@pytest.fixture
def history(transactional_db):
    for name in ("seed2-workflow.xml", "failed-pic.xml", "transcode-workflow.xml", "failed-transcode.json"):
        receive_sample(name)


# Two checks want the schema to be the exact boundary of what is accepted, and it cannot be: the
# filters read a query as an HTML form does (`?ended_before=` is no filter, not an invalid time),
# a cursor is any string only in type (only links the API made are accepted), and text refuses NUL
# characters, which PostgreSQL cannot store. Every other check runs, 5xx and response shape included.
STRICTNESS_CHECKS = [checks.negative_data_rejection, checks.positive_data_acceptance]


@schema.parametrize()
@settings(
    max_examples=40,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_the_api_answers_what_its_schema_says(case, live_server, history, token):
    case.call_and_validate(
        base_url=live_server.url, headers={"Authorization": f"Token {token.key}"}, excluded_checks=STRICTNESS_CHECKS
    )
