"""Chinese text helpers: one script for matching, and pinyin for typing in Latin letters."""

import functools
import re

import opencc
from pypinyin import Style, lazy_pinyin

_t2s = opencc.OpenCC("t2s")
_s2t = opencc.OpenCC("s2t")
_SPACES = re.compile(r"\s+")


def stripped(value) -> str:
    """What a clerk typed, without surrounding blanks; nothing typed is the empty text."""
    return (value or "").strip()


@functools.lru_cache(maxsize=4096)
def to_simplified(text: str) -> str:
    return _t2s.convert(text)


@functools.lru_cache(maxsize=4096)
def to_traditional(text: str) -> str:
    return _s2t.convert(text)


def search_key(*texts: str) -> str:
    """Build the text a search runs against: Simplified form, full pinyin and initials.

    Search terms are folded the same way (``search_terms``), so 客户 finds 客戶,
    "kehu" and "kh" find it too.
    """
    parts = []
    for text in texts:
        if not text:
            continue
        simplified = to_simplified(text).lower()
        parts.append(simplified)
        syllables = [s for s in lazy_pinyin(simplified, errors="ignore") if s.strip()]
        if syllables:
            parts.append("".join(syllables).lower())
            initials = lazy_pinyin(simplified, style=Style.FIRST_LETTER, errors="ignore")
            parts.append("".join(initials).lower())
    return " | ".join(parts)


def search_terms(query: str) -> list[str]:
    """Split a user's query into folded terms that must all match ``search_key``."""
    return [to_simplified(term).lower() for term in _SPACES.split(query.strip()) if term]
