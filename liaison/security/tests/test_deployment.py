"""Production settings pass Django's deployment checks and send the security headers."""

import os
import subprocess
import sys
from pathlib import Path

from django.db import connection
from django.urls import reverse

from liaison.core.roles import Role

ROOT = Path(__file__).resolve().parents[3]
STRONG_KEY = "q9V2xN7mR4tK8wZ1pL6sD3fH5jB0cG2yU7iO4eA9nM1vX8rT6kW3zQ5hJ0gF4dS7b"


def _production(args: list[str], **env) -> subprocess.CompletedProcess:
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.production", **env}
    environment.pop("DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=environment, capture_output=True, text=True
    )


def test_production_settings_pass_check_deploy_without_warnings():
    done = _production(["check", "--deploy", "--fail-level", "WARNING"], LIAISON_SECRET_KEY=STRONG_KEY)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout


REFUSED_KEYS = ["", "short", "a" * 60, "django-insecure-" + STRONG_KEY]
_TRY_KEYS = """
import importlib, os, sys
from django.core.exceptions import ImproperlyConfigured
refused = []
for key in sys.argv[1:]:
    os.environ["LIAISON_SECRET_KEY"] = key
    sys.modules.pop("config.settings.production", None)
    try:
        importlib.import_module("config.settings.production")
    except ImproperlyConfigured as error:
        refused.append("LIAISON_SECRET_KEY" in str(error))
    else:
        refused.append(False)
print(refused)
"""


def test_production_refuses_to_start_without_a_strong_secret_key():
    done = subprocess.run(
        [sys.executable, "-c", _TRY_KEYS, *REFUSED_KEYS, STRONG_KEY], cwd=ROOT, capture_output=True, text=True
    )
    assert done.stdout.strip() == str([True] * len(REFUSED_KEYS) + [False]), done.stdout + done.stderr


def test_pages_carry_csp_frame_and_referrer_headers(client_as):
    client = client_as(Role.SALES_STAFF)
    response = client.get(reverse("admin:index"))
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert "http" not in csp  # nothing from elsewhere
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_migrate_creates_the_axes_and_security_tables(db):
    tables = set(connection.introspection.table_names())
    assert {"axes_accessattempt", "axes_accesslog", "axes_accessfailurelog", "security_securityevent"} <= tables
