"""Schemathesis against the dashboard's ``/openapi.json`` (issue 12): every documented route, with generated
parameters, answers without a server error (5xx) and within the documented content types.

Run by ``make test-fuzz`` (CI), not ``make test``: ``SCHEMA_EXAMPLES`` (default 10) generated requests per
route, about a minute and a half here (the backtest and chart routes compute for real).
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

pytestmark = [pytest.mark.fuzz]

EXAMPLES = int(os.environ.get("SCHEMA_EXAMPLES", "10"))


@pytest.fixture(scope="module")
def api_schema(small_db_file):
    import blocwatch
    from blocwatch.web.app import create_app

    bw = blocwatch.open(str(small_db_file))
    yield schemathesis.openapi.from_asgi("/openapi.json", create_app(bw))
    bw.close()


def test_no_route_answers_with_a_server_error(api_schema):
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 10, "the OpenAPI description lists the routes"
    failures: list[str] = []
    for operation in operations:

        @given(operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, database=None,
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                         HealthCheck.data_too_large])
        def call(case):
            response = case.call()
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path} {case.query}: {response.status_code} "
                                f"{response.text[:300]}")

        call()
    assert not failures, "\n".join(failures[:10])
