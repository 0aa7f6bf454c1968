"""Schema-driven fuzzing: requests generated from the OpenAPI document never get a 5xx.

Bounded: SCHEMATHESIS_EXAMPLES examples per operation (default 15), so `make test` stays
quick; raise it for a deeper run.
"""

import os

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings

from accounts.services_tokens import api_token_create
from tests.factories import IndicatorFactory, MeasureFactory, MilestoneFactory, TaskFactory

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "15"))

schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())


@pytest.fixture
def _keep_the_test_connection():
    """The bare WSGI handler closes the database connection after each request (Django's
    test client switches that off); on PostgreSQL that would drop the test transaction."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def token(_keep_the_test_connection, supervisor, department):
    """A supervisor's token (the widest rights, so writes reach the services) and a little
    data for the generated ids to sometimes hit."""
    key = TaskFactory(lead_department=department)
    measure = MeasureFactory(parent=key)
    IndicatorFactory(task=measure)
    MilestoneFactory(task=key)
    _, secret = api_token_create(user=supervisor)
    return secret


@pytest.mark.postgres
@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
@pytest.mark.django_db
def test_no_generated_request_gets_a_server_error(case, token):
    response = case.call(headers={"Authorization": f"Token {token}"})
    assert response.status_code < 500, (case.method, case.formatted_path, case.query,
                                        case.body, response.text[:500])
