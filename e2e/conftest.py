"""Fixtures for browser tests: Debian's Chromium driven by Playwright against ``live_server``.

Run them with ``pytest e2e -m browser`` (``make test`` does). Mark every test module
``pytestmark = pytest.mark.browser``. Each test gets a fresh browser context (cookies,
storage) on a shared Chromium; ``page.goto("/admin/")`` is relative to the live server.

Pages are served by pytest-django's ``live_server`` on a transactional test database,
which is emptied after each test; every test starts from the migrated database again
(``_migrated_data``). Static files are served by the live server from the app and package
static dirs.
"""

import os
import re
from pathlib import Path

import pytest

# Playwright's sync API runs an asyncio event loop in this thread; Django would otherwise
# refuse ORM calls made from the test (factories, assertions) as "async unsafe".
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("LIAISON_CHROMIUM", "/usr/bin/chromium")
# The background-networking flags matter: without them Chromium keeps trying to reach
# Google's hosts, which a closed network refuses many times a second.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
VIEWPORT = {"width": 1400, "height": 900}
LOCALE = "zh-TW"
TIMEZONE = "Asia/Taipei"
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
TEST_PASSWORD = "pw-for-tests"  # what liaison.core.tests.factories.UserFactory sets


@pytest.fixture(autouse=True)
def _migrated_data(django_db_serialized_rollback):
    """Give every browser test the rows the data migrations wrote, as the first test has them.

    The live server's transactional database is flushed after each test, and the flush
    takes the migrations' rows with it (the default questionnaire, the retention policies):
    a story run after another found no active questionnaire, so planning a survey round
    was refused. Serialized rollback restores the migrated contents before each test.
    """


@pytest.fixture(scope="session")
def playwright():
    from django.db import connections
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an asyncio event loop in this thread, and from then on
    # asgiref keeps Django's connections in another store: the tests get new connection
    # objects, without the migrated contents the test database setup saved on the old ones
    # for serialized rollback. Hand those contents over.
    saved = {alias: getattr(connections[alias], "_test_serialized_contents", None) for alias in connections}
    with sync_playwright() as pw:
        for alias, contents in saved.items():
            if contents is not None:
                connections[alias]._test_serialized_contents = contents
        yield pw


@pytest.fixture(scope="session")
def browser(playwright):
    """One headless Chromium for the whole session (Debian's, no `playwright install`)."""
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} not found: apt-get install chromium fonts-noto-cjk")
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def context(browser, live_server):
    """A fresh browser context per test: no cookies or storage carried over."""
    context = browser.new_context(
        base_url=live_server.url,
        viewport=VIEWPORT,
        locale=LOCALE,
        timezone_id=TIMEZONE,
    )
    context.set_default_timeout(15_000)
    yield context
    context.close()


@pytest.fixture
def page(context):
    """A page whose relative URLs go to the live server: ``page.goto("/admin/")``."""
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.js_errors = errors  # tests may assert ``page.js_errors == []``
    yield page
    page.close()


@pytest.fixture
def screenshot(request):
    """Save a full-page PNG to e2e/screenshots/: ``screenshot(page, "order-review")``.

    Returns the path. Without a name the test's own name is used.
    """

    def save(page, name: str | None = None) -> Path:
        SCREENSHOTS.mkdir(exist_ok=True)
        stem = re.sub(r"[^\w.-]+", "-", name or request.node.name).strip("-")
        path = SCREENSHOTS / f"{stem}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return save


@pytest.fixture
def log_in(page):
    """Sign a user in through the admin login form: ``log_in(user)``.

    Users made by ``UserFactory`` have the password ``TEST_PASSWORD``; pass another one
    if the user has it. Waits until the browser has left the login page.
    """

    def sign_in(user, password: str = TEST_PASSWORD):
        page.goto("/admin/login/")
        page.fill("input[name=username]", user.get_username())
        page.fill("input[name=password]", password)
        page.locator("form [type=submit]").first.click()
        page.wait_for_url(lambda url: "/login/" not in url)
        return page

    return sign_in
