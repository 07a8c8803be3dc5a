"""Settings for benchmarks: the production settings, DEBUG off, a test secret key, plain HTTP on loopback.

Adds ``bench.floor_app`` (the framework floor: a bare DRF endpoint doing one insert) and
its URL; the product's own URLconf and settings never see it. Everything a benchmark
does not need to change comes from ``config.settings.production`` unchanged.
"""

import os

# Production refuses to start without a long secret key and assumes HTTPS behind a proxy;
# the benchmark runs on loopback over plain HTTP.
os.environ.setdefault("LIAISON_SECRET_KEY", "bench-only-not-secret-" + "x7Kq2mPz9R" * 5)
os.environ.setdefault("LIAISON_SSL_REDIRECT", "false")
os.environ.setdefault("LIAISON_SECURE_COOKIES", "false")
os.environ.setdefault("LIAISON_BEHIND_PROXY", "false")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
os.environ.setdefault("LIAISON_STATIC_ROOT", os.path.join(os.path.dirname(os.path.dirname(__file__)), "var", "bench", "static"))
os.environ.setdefault("LIAISON_LOG_LEVEL", "WARNING")

from config.settings.production import *  # noqa: E402,F403
from config.settings.production import INSTALLED_APPS  # noqa: E402

DEBUG = False
INSTALLED_APPS = [*INSTALLED_APPS, "bench.floor_app"]
ROOT_URLCONF = "bench.urls"
# No mail server on the bench machine: mail is built and dropped, as if sent.
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.dummy.EmailBackend"}}
# Sign-ins of the load test are not what is measured: a cheap hasher for the bench users.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
