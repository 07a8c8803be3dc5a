"""R-4: the Administrator role manages users through roles, never superuser status."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from liaison.core.models import User
from liaison.core.roles import Role
from liaison.core.tests.factories import UserFactory


def _change_form(user: User, **extra) -> dict:
    return {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": "",
        "is_active": "on",
        "groups": [g.pk for g in user.groups.all()],
        "department": "",
        "language": "",
        **extra,
    }


@pytest.fixture
def administrator(client_as):
    return client_as(Role.ADMINISTRATOR).user


@pytest.mark.parametrize("target", ["self", "other"])
def test_r_4_administrator_cannot_grant_superuser_or_raw_permissions(client, administrator, target):
    user = administrator if target == "self" else UserFactory(is_staff=False)
    page = client.get(reverse("admin:core_user_change", args=[user.pk])).content.decode()
    assert 'name="is_superuser"' not in page and 'name="user_permissions"' not in page
    assert 'name="is_staff"' not in page and 'name="groups"' in page
    perm = Permission.objects.get(codename="delete_user")
    response = client.post(
        reverse("admin:core_user_change", args=[user.pk]),
        _change_form(user, is_superuser="on", is_staff="on", user_permissions=[perm.pk], first_name="改名"),
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.first_name == "改名"  # the allowed fields are saved
    assert not user.is_superuser and not user.user_permissions.exists()
    assert user.is_staff == (target == "self")


def test_r_4_administrator_sets_roles(client, administrator):
    user = UserFactory()
    qc = Group.objects.get(name=Role.QC_INSPECTOR)
    response = client.post(
        reverse("admin:core_user_change", args=[user.pk]), _change_form(user, groups=[qc.pk])
    )
    assert response.status_code == 302
    assert list(user.groups.values_list("name", flat=True)) == [Role.QC_INSPECTOR.value]


def test_r_4_administrator_cannot_change_a_superusers_account(client, administrator):
    root = UserFactory(is_superuser=True)
    assert client.get(reverse("admin:core_user_change", args=[root.pk])).status_code == 200  # view only
    response = client.post(reverse("admin:core_user_change", args=[root.pk]), _change_form(root, is_active=""))
    assert response.status_code == 403
    response = client.post(
        reverse("admin:auth_user_password_change", args=[root.pk]),
        {"password1": "taken-over-123", "password2": "taken-over-123", "usable_password": "true"},
    )
    assert response.status_code == 403
    root.refresh_from_db()
    assert root.is_active and root.check_password("pw-for-tests")


def test_user_added_by_administrator_can_sign_in_to_the_back_office(client, administrator):
    response = client.post(
        reverse("admin:core_user_add"),
        {"username": "newclerk", "usable_password": "true", "password1": "Qx7-long-pass", "password2": "Qx7-long-pass"},
    )
    assert response.status_code == 302
    user = User.objects.get(username="newclerk")
    assert user.is_staff and not user.is_superuser


def test_superuser_still_sees_the_full_form(client, db):
    client.force_login(UserFactory(is_superuser=True))
    page = client.get(reverse("admin:core_user_change", args=[UserFactory().pk])).content.decode()
    assert 'name="is_superuser"' in page and 'name="user_permissions"' in page
