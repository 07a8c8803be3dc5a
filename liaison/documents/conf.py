"""Settings of the printed documents, with their defaults.

``LIAISON_COMPANY_NAME``      the company name printed at the top of every form.
``LIAISON_FONT_CACHE``        where the static font instances are kept (outside the
                              repository); the environment variable of the same name wins.
``LIAISON_PDF_STATIC_FONTS``  True (the default) prints with Regular/Bold instances cut from
                              the variable fonts, made on first use if ``liaison_fonts`` has
                              not made them yet. False uses the instances only if they are
                              cached and the variable font (thin) otherwise: for fast tests.
"""

import os
from pathlib import Path

from django.conf import settings

DEFAULT_COMPANY_NAME = "Liaison 示範製造有限公司"
# The procedure's forms are all at version A (the procedure's header: 版本號 A).
FORM_VERSION = "A"


def company_name() -> str:
    return getattr(settings, "LIAISON_COMPANY_NAME", DEFAULT_COMPANY_NAME)


def font_cache_dir() -> Path:
    configured = os.environ.get("LIAISON_FONT_CACHE") or getattr(settings, "LIAISON_FONT_CACHE", "")
    if configured:
        return Path(configured).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "liaison" / "fonts"


def static_fonts() -> bool:
    return bool(getattr(settings, "LIAISON_PDF_STATIC_FONTS", True))
