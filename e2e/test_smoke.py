"""The browser tooling works: Chromium opens the live server's pages with their styles."""

import pytest

from liaison.core.tests.factories import UserFactory

pytestmark = pytest.mark.browser


def test_admin_login_page_renders_styled(page, screenshot):
    response = page.goto("/admin/login/")

    assert response.status == 200
    assert page.locator("input[name=username]").is_visible()
    # The stylesheet arrived and applied: unfold's CSS lays the form out; unstyled, the
    # body keeps the browser's default 8px margin.
    stylesheets = page.evaluate("document.styleSheets.length")
    assert stylesheets > 0
    assert page.evaluate("getComputedStyle(document.body).margin") != "8px"
    screenshot(page, "smoke-admin-login")
    assert page.js_errors == []


def test_log_in_helper_signs_in(page, log_in, screenshot):
    user = UserFactory(is_superuser=True)

    log_in(user)

    assert "/admin/" in page.url
    screenshot(page, "smoke-admin-index")
