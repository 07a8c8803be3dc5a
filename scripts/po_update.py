"""Refresh the translation catalogues: our own strings and the vendors' untranslated ones.

Usage (from anywhere; needs gettext's xgettext/msgmerge/msgfmt):

    .venv/bin/python scripts/po_update.py             # update .po files, then compile .mo
    .venv/bin/python scripts/po_update.py --no-compile

Then translate what it reports as untranslated in liaison/locale/zh_Hant/LC_MESSAGES/django.po,
draft the Simplified ones with ``scripts/po_simplify.py``, review both, and run this script
again (or ``manage.py compilemessages --ignore=.venv``). Commit the .po AND .mo files.

What it does:

1. Runs ``manage.py makemessages`` for our code (zh_Hant, zh_Hans, en; --no-obsolete), after
   taking the vendor entries out of the catalogues so msgmerge never guesses from them.
2. Extracts the msgids of installed packages that ship no Traditional (or no Chinese at all)
   translation, by running makemessages in a scratch directory that symlinks them:
   django-unfold (no Chinese at all), django-import-export and django-simple-history
   (zh_Hans only), django-tasks-db (none). Django's own msgids (its English catalogues, core
   and contrib) are added too, so the strings a new Django release brings before its
   translators catch up (e.g. 6.1's "- Select an option -") do not stay English.
3. Appends to each Chinese catalogue the vendor msgids that neither our code nor the
   translations already shipped for that language cover (Django itself and its contrib apps,
   and for zh_Hans the vendors' own zh_Hans). Each is marked ``#. vendor: <package>``.
   To correct a translation a vendor ships (e.g. a typo in its zh_Hans), add the entry by
   hand with the vendor marker and a translator comment starting ``# override``; it is kept.
4. Keeps every translation the catalogues had before (ours and vendor); fills new zh_Hant
   vendor entries from the vendor's zh_Hans translation through OpenCC (s2t + Taiwanese
   vocabulary, see po_common.py) and lists them for review.
5. Checks placeholders with msgfmt --check-format and compiles the .mo files.

Because makemessages --no-obsolete alone would drop the vendor msgids, always use this
script rather than a bare makemessages.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from po_common import (  # noqa: E402
    LANGS,
    ROOT,
    Entry,
    check_po,
    normalize_header,
    placeholder_problems,
    po_path,
    read_po,
    to_traditional,
    write_po,
)

PYTHON = ROOT / ".venv" / "bin" / "python"
if not PYTHON.exists():
    PYTHON = Path(sys.executable)

OUR_IGNORES = [".venv", "staticfiles", "var", "e2e", "bench", "node_modules", "liaison/_unfold_tmp"]

# package (import name) -> distribution name (for the version in the marker comment)
VENDORS = {
    "unfold": "django-unfold",
    "import_export": "django-import-export",
    "simple_history": "django-simple-history",
    "django_tasks_db": "django-tasks-db",
}
DJANGO_DIST = {"django": "Django"}
VENDOR_MARK = "vendor: "

CHINESE = ("zh_Hant", "zh_Hans")


def site_packages() -> Path:
    out = subprocess.run(
        [str(PYTHON), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True,
    ).stdout.strip()
    return Path(out or sysconfig.get_paths()["purelib"])


def is_vendor(e: Entry) -> bool:
    return any(c.startswith(VENDOR_MARK) for c in e.extracted_comments)


def translations_of(paths: list[Path]) -> dict:
    """key -> msgstr list, for translated (non-fuzzy) entries of the given catalogues."""
    found: dict = {}
    for path in paths:
        if path.is_file():
            _, entries = read_po(path)
            for e in entries:
                if e.translated:
                    found.setdefault(e.key, e.msgstr)
    return found


def shipped_translations(sp: Path, lang: str, with_vendors: bool) -> dict:
    """Translations Django (and optionally the vendors) already ship for this language."""
    django = sp / "django"
    paths = [django / "conf" / "locale" / lang / "LC_MESSAGES" / "django.po"]
    paths += sorted((django / "contrib").glob(f"*/locale/{lang}/LC_MESSAGES/django.po"))
    if with_vendors:
        for pkg in VENDORS:
            paths.append(sp / pkg / "locale" / lang / "LC_MESSAGES" / "django.po")
    return translations_of(paths)


def run_makemessages(cwd: Path, langs: list[str], ignores: list[str]) -> None:
    cmd = [str(PYTHON), str(ROOT / "manage.py"), "makemessages", "--no-obsolete", "-v0"]
    for lang in langs:
        cmd += ["-l", lang]
    for ig in ignores:
        cmd += [f"--ignore={ig}"]
    subprocess.run(cmd, cwd=cwd, check=True)


def extract_vendor_msgids(sp: Path) -> list[tuple[str, Entry]]:
    """(package, entry) for every msgid in the vendor packages' .py and .html files."""
    with tempfile.TemporaryDirectory(prefix="po_vendor_") as tmp:
        tmpdir = Path(tmp)
        (tmpdir / "locale").mkdir()
        # Copy the sources (not a symlink: makemessages would write into a package's own
        # locale/ directory inside site-packages).
        skip = shutil.ignore_patterns("locale", "static", "tests", "migrations", "__pycache__", "*.pyc", "*.mo", "*.po")
        for pkg in VENDORS:
            if (sp / pkg).is_dir():
                shutil.copytree(sp / pkg, tmpdir / pkg, ignore=skip)
        run_makemessages(tmpdir, ["en"], [])
        _, entries = read_po(tmpdir / "locale" / "en" / "LC_MESSAGES" / "django.po")
    result = []
    for e in entries:
        pkgs = [r.split("/", 1)[0] for line in e.references for r in line.split()]
        pkg = next((p for p in pkgs if p in VENDORS), pkgs[0] if pkgs else "unfold")
        result.append((pkg, e))
    return result


def django_msgids(sp: Path) -> list[tuple[str, Entry]]:
    """("django", entry) for every msgid of Django's English catalogues (core and contrib).

    The loop in main() skips those Django already translates for the language, so only what
    its Chinese catalogues lack (new in a release, not yet translated upstream) is added.
    """
    django = sp / "django"
    paths = [django / "conf" / "locale" / "en" / "LC_MESSAGES" / "django.po"]
    paths += sorted((django / "contrib").glob("*/locale/en/LC_MESSAGES/django.po"))
    result = []
    for path in paths:
        if path.is_file():
            _, entries = read_po(path)
            result += [("django", e) for e in entries]
    return result


def vendor_label(pkg: str) -> str:
    dist = VENDORS.get(pkg) or DJANGO_DIST.get(pkg, pkg)
    try:
        return f"{VENDOR_MARK}{dist} {importlib.metadata.version(dist)}"
    except importlib.metadata.PackageNotFoundError:
        return f"{VENDOR_MARK}{dist}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--no-compile", action="store_true", help="do not run compilemessages")
    args = parser.parse_args()
    sp = site_packages()

    # 0. Remember every translation we have; take vendor entries out before makemessages.
    old: dict[str, dict] = {}
    for lang in LANGS:
        path = po_path(lang)
        old[lang] = {}
        if path.is_file():
            header, entries = read_po(path)
            old[lang] = {e.key: e for e in entries}
            write_po(path, header, [e for e in entries if not is_vendor(e)])

    # 1. Our code.
    run_makemessages(ROOT, list(LANGS), OUR_IGNORES)

    # 2. Vendor msgids.
    vendor_entries = extract_vendor_msgids(sp) + django_msgids(sp)

    converted: list[tuple[str, str]] = []
    for lang in LANGS:
        path = po_path(lang)
        header, entries = read_po(path)
        normalize_header(header, lang)
        ours = {e.key for e in entries}
        # msgmerge keeps what it can; bring back exact matches it lost (e.g. a msgid that
        # used to be a vendor entry and is now also in our code).
        for e in entries:
            before = old[lang].get(e.key)
            if not e.translated and before is not None and before.translated and len(before.msgstr) == len(e.msgstr):
                e.msgstr = list(before.msgstr)
                e.set_fuzzy(False)
        added: list[Entry] = []
        if lang in CHINESE:
            shipped = shipped_translations(sp, lang, with_vendors=(lang == "zh_Hans"))
            vendor_hans = translations_of([sp / p / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po" for p in VENDORS])
            seen = set()
            for pkg, ve in vendor_entries:
                before = old[lang].get(ve.key)
                override = before is not None and any(c.startswith("override") for c in before.translator_comments)
                if ve.key in ours or ve.key in seen or (ve.key in shipped and not override):
                    continue
                seen.add(ve.key)
                e = Entry(
                    msgid=ve.msgid,
                    msgid_plural=ve.msgid_plural,
                    msgctxt=ve.msgctxt,
                    msgstr=[""],  # Chinese: nplurals=1
                    extracted_comments=[vendor_label(pkg)] + ve.extracted_comments,
                    references=ve.references,
                    flags=[f for f in ve.flags if f != "fuzzy"],
                )
                if before is not None and any(before.msgstr):
                    e.msgstr = list(before.msgstr[:1])
                    e.translator_comments = before.translator_comments
                    if "fuzzy" in before.flags:
                        e.set_fuzzy(True)
                elif lang == "zh_Hant" and e.key in vendor_hans:
                    e.msgstr = [to_traditional(vendor_hans[e.key][0])]
                    converted.append((e.msgid, e.msgstr[0]))
                added.append(e)
        write_po(path, header, entries + added)

        untranslated = [e for e in entries + added if not e.translated]
        print(f"{lang}: {len(entries)} own + {len(added)} vendor entries; "
              f"{sum(1 for e in untranslated if 'fuzzy' in e.flags)} fuzzy, "
              f"{len(untranslated)} untranslated or fuzzy")
        if lang in CHINESE:
            for e in untranslated[:400]:
                print(f"    {'[fuzzy] ' if 'fuzzy' in e.flags else ''}{e.msgid!r}")
        for problem in (p for e in entries + added for p in placeholder_problems(e)):
            print(f"    PLACEHOLDER {problem}")
        check_po(path)

    if converted:
        print("zh_Hant vendor strings drafted from the vendor's zh_Hans (review them):")
        for msgid, msgstr in converted:
            print(f"    {msgid!r} -> {msgstr}")

    if not args.no_compile:
        subprocess.run(
            [str(PYTHON), "manage.py", "compilemessages", "--ignore=.venv", "--ignore=node_modules", "-v0"],
            cwd=ROOT, check=True,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
