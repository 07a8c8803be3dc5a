"""API basics: token and session auth, error format, schema and docs served locally."""

import pytest
from rest_framework.authtoken.models import Token

from liaison.core.roles import Role


def test_token_authentication_and_me(api_client, user_with_role):
    user = user_with_role(Role.QC_INSPECTOR)
    token = Token.objects.create(user=user)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    body = api_client.get("/api/v1/me/").json()
    assert body["username"] == user.username and body["roles"] == ["qc_inspector"]


def test_token_obtained_with_password(api_client, user_with_role):
    user = user_with_role(Role.SALES_STAFF)
    response = api_client.post("/api/v1/auth/token/", {"username": user.username, "password": "pw-for-tests"})
    assert response.status_code == 200 and len(response.json()["token"]) == 40


def test_unauthenticated_error_is_json_with_code_and_message(api_client, db):
    response = api_client.get("/api/v1/customers/")
    assert response.status_code in {401, 403}
    body = response.json()
    assert body["code"] == "not_authenticated" and body["message"] and body["fields"] == {}


def test_permission_error_message_is_translated(api_client, user_with_role):
    api_client.force_authenticate(user_with_role(Role.WORKSHOP_LEAD))
    response = api_client.get("/api/v1/customers/", HTTP_ACCEPT_LANGUAGE="zh-hant")
    assert response.status_code == 403
    body = response.json()
    assert body["code"] == "permission_denied"
    assert "權限" in body["message"]


def test_validation_error_lists_fields(api_client, sales_user):
    api_client.force_authenticate(sales_user)
    response = api_client.post("/api/v1/customers/", {"registered_name": "", "email": "not-an-email"}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert set(body["fields"]) >= {"registered_name", "email"}


@pytest.mark.parametrize("path", ["/api/schema/", "/api/docs/", "/api/redoc/"])
def test_schema_and_docs_are_served_locally(client, sales_user, path):
    client.force_login(sales_user)
    response = client.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    if path == "/api/docs/":
        assert "swagger-ui" in html and "cdn.jsdelivr" not in html and "unpkg" not in html
    if path == "/api/redoc/":
        # drf-spectacular's own template links Google Fonts; ours must not (offline, CSP).
        assert "redoc.standalone" in html and "googleapis" not in html and "gstatic" not in html


@pytest.mark.parametrize("path", ["/api/schema/", "/api/docs/", "/api/redoc/"])
def test_schema_and_docs_need_a_signed_in_user(client, db, path):
    assert client.get(path).status_code in {401, 403}
