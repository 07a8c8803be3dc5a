"""Draft missing Simplified Chinese translations from the Traditional ones.

Usage (after scripts/po_update.py and translating the new zh_Hant entries):

    .venv/bin/python scripts/po_simplify.py            # fill empty/fuzzy zh_Hans entries
    .venv/bin/python scripts/po_simplify.py --dry-run  # only show what it would fill
    .venv/bin/python scripts/po_simplify.py --fuzzy    # fill, but mark them fuzzy (not compiled
                                                       # until someone removes the flag)
    .venv/bin/python scripts/po_simplify.py --compare  # list existing zh_Hans entries that
                                                       # differ from the converted zh_Hant

Each zh_Hans entry that is empty or fuzzy gets the zh_Hant translation of the same msgid,
converted with OpenCC t2s plus the Taiwan -> mainland vocabulary map in po_common.py
(檔案 -> 文件, 資料 -> 数据, 儲存 -> 保存, 使用者 -> 用户, 搜尋 -> 搜索, ...). The procedure's form
names stay as the SPEC glossary has them. It is a draft: read what it prints and fix word
choices by hand (e.g. table rows are 列 in Taiwan but 行 on the mainland, columns 欄 vs 列),
then run ``manage.py compilemessages --ignore=.venv`` (or scripts/po_update.py).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from po_common import check_po, placeholder_problems, po_path, read_po, to_simplified, write_po  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dry-run", action="store_true", help="show, do not write")
    parser.add_argument("--fuzzy", action="store_true", help="mark the drafts fuzzy")
    parser.add_argument("--compare", action="store_true", help="list translated zh_Hans entries that differ from t2s(zh_Hant)")
    parser.add_argument("--domain", default="django")
    args = parser.parse_args()

    _, hant_entries = read_po(po_path("zh_Hant", args.domain))
    hant = {e.key: e for e in hant_entries if e.translated}
    hans_path = po_path("zh_Hans", args.domain)
    header, hans_entries = read_po(hans_path)

    filled = left = 0
    for e in hans_entries:
        source = hant.get(e.key)
        if e.translated:
            if args.compare and source is not None:
                draft = to_simplified(source.msgstr[0])
                if draft != e.msgstr[0]:
                    print(f"{e.msgid!r}\n    zh_Hans: {e.msgstr[0]}\n    t2s:     {draft}")
            continue
        if source is None:
            left += 1
            print(f"no zh_Hant translation to start from: {e.msgid!r}")
            continue
        draft = [to_simplified(s) for s in source.msgstr[:1]] * len(e.msgstr)
        print(f"{e.msgid!r}\n    {source.msgstr[0]}  ->  {draft[0]}")
        e.msgstr = draft
        e.set_fuzzy(args.fuzzy)
        for problem in placeholder_problems(e):
            print(f"    PLACEHOLDER {problem}")
        filled += 1

    if args.compare:
        return 0
    print(f"zh_Hans: {filled} drafted{' (fuzzy)' if args.fuzzy else ''}, {left} still untranslated")
    if filled and not args.dry_run:
        write_po(hans_path, header, hans_entries)
        check_po(hans_path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
