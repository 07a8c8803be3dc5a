"""Production settings: secrets come from the environment, nothing insecure is assumed."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env_bool

DEBUG = False
SECRET_KEY = os.environ.get("LIAISON_SECRET_KEY", "")
if len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("Set LIAISON_SECRET_KEY to a random string of at least 50 characters.")

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
SESSION_COOKIE_SECURE = env_bool("LIAISON_SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = env_bool("LIAISON_SECURE_COOKIES", True)
SECURE_SSL_REDIRECT = env_bool("LIAISON_SSL_REDIRECT", True)
# Trust X-Forwarded-Proto only behind a proxy that sets it: exposed directly, a client
# could claim HTTPS over plain HTTP.
if env_bool("LIAISON_BEHIND_PROXY", True):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = int(os.environ.get("LIAISON_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
