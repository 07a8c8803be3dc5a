"""R-4 and the API's contract: schemathesis sends generated requests to every operation of our
OpenAPI schema, in-process, signed in with a token, and checks each answer: no server error,
a status code the schema documents, a body that matches the documented schema.

Bounded and reproducible: a few derandomized examples per operation and role; each
example runs in a savepoint that is rolled back, so examples do not see each other's writes.
"""

import json

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from liaison.core.roles import Role
from liaison.core.tests.db import rolled_back
from liaison.core.tests.factories import UserFactory

CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]
# The roles the API is tried as: all-seeing (reaches every validation) and a narrow one (refusals);
# every role × endpoint pair is in test_permission_matrix.py.
ROLES = [Role.ADMINISTRATOR, Role.WORKSHOP_LEAD]


def _openapi() -> dict:
    return json.loads(OpenApiJsonRenderer().render(SchemaGenerator().get_schema(request=None, public=True)))


schema = schemathesis.openapi.from_dict(_openapi())
schema.app = get_wsgi_application()  # requests go to Django in-process, as from_wsgi() would send them


@pytest.fixture(autouse=True)
def keep_the_test_connection():
    """Django's WSGI handler closes the database connection when a request finishes; the test
    client stops that, but schemathesis calls the handler directly. On PostgreSQL the test's
    connection (and its transaction) would be closed under the next test."""

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def token_for(db):
    made = {}

    def token(role):
        if role not in made:
            made[role] = Token.objects.create(user=UserFactory(roles=[role])).key
        return made[role]

    return token


@pytest.mark.parametrize("role", ROLES, ids=lambda role: role.value)
@schema.parametrize()
@settings(
    max_examples=2,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_answers_as_its_schema_says(case, role, token_for):
    headers = {"Authorization": f"Token {token_for(role)}"}
    with rolled_back():
        case.call_and_validate(headers=headers, checks=CHECKS)
