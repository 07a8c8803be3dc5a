"""Production settings: secrets come from the environment, nothing insecure is assumed."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env_bool

DEBUG = False
SECRET_KEY = os.environ.get("LIAISON_SECRET_KEY", "")
# The same test as Django's deployment check (security.W009): long, varied, not a generated placeholder.
if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5 or SECRET_KEY.startswith("django-insecure-"):
    raise ImproperlyConfigured(
        "Set LIAISON_SECRET_KEY to a random string of at least 50 characters "
        "(e.g. python -c 'import secrets; print(secrets.token_urlsafe(64))')."
    )

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
SESSION_COOKIE_SECURE = env_bool("LIAISON_SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = env_bool("LIAISON_SECURE_COOKIES", True)
SECURE_SSL_REDIRECT = env_bool("LIAISON_SSL_REDIRECT", True)
# Trust X-Forwarded-Proto only behind a proxy that sets it: exposed directly, a client
# could claim HTTPS over plain HTTP.
LIAISON_BEHIND_PROXY = env_bool("LIAISON_BEHIND_PROXY", True)
if LIAISON_BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = int(os.environ.get("LIAISON_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Mail leaves through SMTP (EMAIL_HOST, by default a local mail server), never to the console.
if not os.environ.get("EMAIL_HOST") and not os.environ.get("EMAIL_BACKEND"):
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend", "OPTIONS": {}}}
