"""The fonts of printed forms: Noto Sans TC / SC, embedded in the PDF as TrueType subsets.

ReportLab's built-in CID fonts are not embedded, so a reader without CJK fonts shows
boxes. The Noto Sans CJK fonts of ``justmytype-intl-cjk`` are variable TrueType fonts,
which ReportLab embeds, but whose default instance is the thinnest weight: we cut static
Regular (400) and Bold (700) instances with fontTools once (about 20 s each) and keep
them in a cache outside the repository (``conf.font_cache_dir()``). ``manage.py
liaison_fonts`` makes them ahead of time; otherwise the first print makes the Regular
one it needs.
"""

import importlib.metadata
import importlib.resources
import logging
import os
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from liaison.documents import conf

logger = logging.getLogger(__name__)

# Traditional for zh-hant and English, Simplified for zh-hans.
SCRIPTS = {
    "TC": "notosanstc/NotoSansTC[wght].ttf",
    "SC": "notosanssc/NotoSansSC[wght].ttf",
}
WEIGHTS = {"Regular": 400, "Bold": 700}

_lock = threading.Lock()
_registered: dict[tuple[str, bool], "FontSet"] = {}


@dataclass(frozen=True)
class FontSet:
    """The ReportLab names of one script's fonts and the characters they cover."""

    script: str
    regular: str
    bold: str
    charset: frozenset[int]
    static: bool

    def covers(self, char: str) -> bool:
        return ord(char) in self.charset


def script_for(language: str) -> str:
    """Return the font script for a language code: SC for Simplified Chinese, else TC."""
    language = (language or "").lower().replace("_", "-")
    return "SC" if language.startswith(("zh-hans", "zh-cn", "zh-sg")) else "TC"


def other_script(script: str) -> str:
    return "SC" if script == "TC" else "TC"


def variable_font_path(script: str) -> Path:
    """The variable font shipped by ``justmytype-intl-cjk``."""
    root = importlib.resources.files("justmytype_intl_cjk") / "fonts" / "ofl"
    return Path(str(root / SCRIPTS[script]))


def instance_path(script: str, weight: str) -> Path:
    """Where the static instance is cached; the package version is in the name."""
    version = importlib.metadata.version("justmytype-intl-cjk")
    return conf.font_cache_dir() / f"NotoSans{script}-{weight}-{version}.ttf"


def instance_make(script: str, weight: str) -> Path:
    """Cut the static ``weight`` instance of the script's font, unless it is cached already."""
    target = instance_path(script, weight)
    if target.exists():
        return target
    from fontTools.ttLib import TTFont as FontToolsFont
    from fontTools.varLib import instancer

    logger.info("Making %s (takes about 20 seconds, once)", target)
    target.parent.mkdir(parents=True, exist_ok=True)
    font = instancer.instantiateVariableFont(
        FontToolsFont(variable_font_path(script)), {"wght": WEIGHTS[weight]}, updateFontNames=True
    )
    # Write next to the target and rename: a concurrent reader never sees half a file.
    handle, temporary = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
    os.close(handle)
    try:
        font.save(temporary)
        os.replace(temporary, target)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    return target


def font_set(script: str, *, static: bool | None = None) -> FontSet:
    """Register the script's fonts with ReportLab (once per process) and return their names.

    With static fonts the Regular instance is made if missing; Bold is used when
    cached and otherwise falls back to Regular (``liaison_fonts`` makes both).
    Without, cached instances are still preferred over the thin variable font.
    """
    if static is None:
        static = conf.static_fonts()
    key = (script, static)
    with _lock:
        if key in _registered:
            return _registered[key]
        regular_path = instance_path(script, "Regular")
        if static:
            regular_path = instance_make(script, "Regular")
        elif not regular_path.exists():
            regular_path = variable_font_path(script)
        bold_path = instance_path(script, "Bold")
        if not bold_path.exists():
            bold_path = regular_path

        suffix = "" if static else "-Fast"
        regular_name = f"Liaison{script}{suffix}"
        bold_name = f"Liaison{script}{suffix}-Bold"
        regular = TTFont(regular_name, str(regular_path))
        pdfmetrics.registerFont(regular)
        pdfmetrics.registerFont(TTFont(bold_name, str(bold_path)))
        # <b> in a paragraph picks the bold face; there is no italic, so italic is upright.
        addMapping(regular_name, 0, 0, regular_name)
        addMapping(regular_name, 1, 0, bold_name)
        addMapping(regular_name, 0, 1, regular_name)
        addMapping(regular_name, 1, 1, bold_name)
        fonts = FontSet(
            script=script,
            regular=regular_name,
            bold=bold_name,
            charset=frozenset(regular.face.charToGlyph),
            static=static,
        )
        _registered[key] = fonts
        return fonts
