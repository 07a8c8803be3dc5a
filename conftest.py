"""The test kit shared by every app's tests: users by role, signed-in clients, English, PDF text.

Factories live with the model they make, in ``liaison/<app>/tests/factories.py`` (one per
model; the platform's users, departments and moments in ``liaison/core/tests/factories.py``).
A frozen day is each app's or module's own, through one mechanism: ``today = frozen_today(TODAY)``
(core's test factories) gives an autouse ``today`` fixture.
"""

import shutil
import subprocess
from pathlib import Path

import pytest
from django.utils import translation

from liaison.core.roles import Role
from liaison.core.tests.factories import UserFactory


@pytest.fixture(autouse=True)
def fast_fonts(settings):
    """Print with cached Regular instances when there are some, else the variable fonts: no 20 s cut."""
    settings.LIAISON_PDF_STATIC_FONTS = False


@pytest.fixture
def english():
    """Messages compared word for word are compared in English."""
    with translation.override("en"):
        yield


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
def client_as(client, user_with_role):
    """The test client signed in as a user or as a new user of a role: ``client_as(Role.QC_HEAD)``."""

    def sign_in(who):
        user = who if hasattr(who, "pk") else user_with_role(who)
        client.force_login(user)
        client.user = user
        return client

    return sign_in


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()


@pytest.fixture
def pdf_text(tmp_path):
    """Extract a PDF's text with poppler's ``pdftotext``: ``pdf_text(content_or_path, layout=True)``.

    ``layout=False`` keeps the order things were drawn in (a wrapped cell stays in one piece).
    """
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (Debian poppler-utils) is not installed; `make sysdeps` installs it")

    def extract(pdf: bytes | str | Path, *, layout: bool = True) -> str:
        path = Path(pdf) if isinstance(pdf, (str, Path)) else tmp_path / "printed.pdf"
        if not isinstance(pdf, (str, Path)):
            path.write_bytes(pdf)
        command = ["pdftotext", *(["-layout"] if layout else []), str(path), "-"]
        return subprocess.run(command, check=True, capture_output=True, text=True).stdout

    return extract
