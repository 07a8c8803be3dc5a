"""Each user picks 繁體中文, 简体中文 or English; the choice follows them."""

import pytest
from django.urls import reverse
from django.utils import translation


@pytest.mark.parametrize(
    ("language", "dashboard_word"),
    [("zh-hant", "儀表板"), ("zh-hans", "仪表板"), ("en", "Dashboard")],
)
def test_language_switch_is_saved_on_the_user(client, sales_user, language, dashboard_word):
    client.force_login(sales_user)
    response = client.post(reverse("account-language"), {"language": language, "next": "/admin/"})
    assert response.status_code == 302 and response["Location"] == "/admin/"
    sales_user.refresh_from_db()
    assert sales_user.language == language
    # A fresh session (another browser) still gets the user's language.
    client.logout()
    client.cookies.clear()
    client.force_login(sales_user)
    page = client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="de")
    assert page["Content-Language"] == language
    assert dashboard_word in page.content.decode()
    translation.activate("en")


def test_unknown_language_falls_back_to_default(client, sales_user, settings):
    client.force_login(sales_user)
    client.post(reverse("account-language"), {"language": "xx", "next": "https://evil.example/"})
    sales_user.refresh_from_db()
    assert sales_user.language == settings.LANGUAGE_CODE


def test_switch_refuses_offsite_redirect(client, sales_user):
    client.force_login(sales_user)
    response = client.post(reverse("account-language"), {"language": "en", "next": "https://evil.example/"})
    assert response["Location"] == "/"
