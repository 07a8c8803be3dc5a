"""Fixtures shared by every app's tests."""

import pytest

from liaison.core.roles import Role
from liaison.core.tests.factories import UserFactory


@pytest.fixture
def user_with_role(db):
    """Make a user holding one procedure role: ``user_with_role(Role.SALES_STAFF)``."""

    def make(role: Role, **kwargs):
        return UserFactory(roles=[role], **kwargs)

    return make


@pytest.fixture
def sales_user(user_with_role):
    return user_with_role(Role.SALES_STAFF)


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()
