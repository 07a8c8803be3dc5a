"""Settings for the test suite: fast hashing, mail kept in memory, files in a temp dir."""

import tempfile

from .base import *  # noqa: F403

DEBUG = False
# Tests read English unless they pick a language (the product default is zh-hant).
LANGUAGE_CODE = "en"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
MEDIA_ROOT = tempfile.mkdtemp(prefix="liaison-test-media-")
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
ALLOWED_HOSTS = ["*"]
LOGGING = {"version": 1, "disable_existing_loggers": False}
# Login throttling needs the request in authenticate(), which client.login() does not pass;
# the security tests switch it on where they test it.
AXES_ENABLED = False
