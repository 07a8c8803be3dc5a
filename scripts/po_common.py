"""Shared helpers for the scripts/po_*.py catalogue tools (no third-party PO library).

* ``Entry``, ``read_po(path)``, ``write_po(path, header, entries)``: a small reader and
  writer for gettext .po files, enough for the catalogues makemessages writes (comments,
  flags, msgctxt, plurals; obsolete ``#~`` entries are dropped).
* ``to_simplified(text)`` / ``to_traditional(text)``: OpenCC conversion (t2s / s2t from
  opencc-python-reimplemented) plus the vocabulary that differs between Taiwan and the
  mainland (資料/数据, 檔案/文件, 儲存/保存, 使用者/用户, 搜尋/搜索, ...), while keeping the
  procedure's fixed form names (客戶基本資料表 stays 客户基本资料表, see docs SPEC glossary).

Conversion is a first draft only: review what the scripts report and fix by hand.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCALE_DIR = ROOT / "liaison" / "locale"
LANGS = ("zh_Hant", "zh_Hans", "en")


# --------------------------------------------------------------------------- PO files


@dataclass
class Entry:
    msgid: str
    msgstr: list[str] = field(default_factory=lambda: [""])  # one item, or one per plural form
    msgid_plural: str | None = None
    msgctxt: str | None = None
    translator_comments: list[str] = field(default_factory=list)  # "# ..."
    extracted_comments: list[str] = field(default_factory=list)  # "#. ..."
    references: list[str] = field(default_factory=list)  # "#: ..." (whole lines)
    flags: list[str] = field(default_factory=list)  # "#, ..."
    previous: list[str] = field(default_factory=list)  # "#| ..." (whole lines)

    @property
    def key(self) -> tuple[str | None, str]:
        return (self.msgctxt, self.msgid)

    @property
    def translated(self) -> bool:
        return all(self.msgstr) and "fuzzy" not in self.flags

    def set_fuzzy(self, fuzzy: bool) -> None:
        if fuzzy and "fuzzy" not in self.flags:
            self.flags.insert(0, "fuzzy")
        if not fuzzy and "fuzzy" in self.flags:
            self.flags.remove("fuzzy")
            self.previous = []


_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\", "r": "\r", "a": "\a", "b": "\b", "f": "\f", "v": "\v"}


def _unquote(s: str) -> str:
    s = s.strip()
    if not (s.startswith('"') and s.endswith('"')):
        raise ValueError(f"not a PO string: {s!r}")
    s = s[1:-1]
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), "\\" + m.group(1)), s)


def _quote(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t") + '"'


def read_po(path: Path) -> tuple[Entry, list[Entry]]:
    """Return (header entry, entries) of a .po file; obsolete entries are skipped."""
    entries: list[Entry] = []
    cur: Entry | None = None
    target: tuple[str, int] | None = None  # which string continuation lines extend
    fresh = True  # comments seen belong to a new entry

    def new() -> Entry:
        nonlocal cur, fresh
        cur = Entry(msgid="")
        cur.msgstr = []
        entries.append(cur)
        fresh = False
        return cur

    def append(text: str) -> None:
        assert cur is not None and target is not None
        name, idx = target
        if name == "msgstr":
            cur.msgstr[idx] += text
        else:
            setattr(cur, name, (getattr(cur, name) or "") + text)

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.rstrip("\n")
        if not line.strip():
            fresh, target = True, None
            continue
        if line.startswith("#~"):
            fresh, target = True, None
            continue
        if line.startswith("#"):
            e = new() if cur is None or fresh or cur.msgstr else cur
            target = None
            if line.startswith("#:"):
                e.references.append(line[2:].strip())
            elif line.startswith("#."):
                e.extracted_comments.append(line[2:].strip())
            elif line.startswith("#,"):
                e.flags.extend(f.strip() for f in line[2:].split(",") if f.strip())
            elif line.startswith("#|"):
                e.previous.append(line[2:].strip())
            else:
                e.translator_comments.append(line[1:].lstrip(" ") if line != "#" else "")
            continue
        if line.startswith('"'):
            append(_unquote(line))
            continue
        keyword, _, value = line.partition(" ")
        if keyword in ("msgctxt", "msgid") and (cur is None or fresh or cur.msgstr):
            new()
        assert cur is not None
        if keyword == "msgctxt":
            cur.msgctxt = _unquote(value)
            target = ("msgctxt", 0)
        elif keyword == "msgid":
            cur.msgid = _unquote(value)
            target = ("msgid", 0)
        elif keyword == "msgid_plural":
            cur.msgid_plural = _unquote(value)
            target = ("msgid_plural", 0)
        elif keyword.startswith("msgstr"):
            m = re.fullmatch(r"msgstr(?:\[(\d+)\])?", keyword)
            if not m:
                raise ValueError(f"{path}: bad line {line!r}")
            idx = int(m.group(1) or 0)
            while len(cur.msgstr) <= idx:
                cur.msgstr.append("")
            cur.msgstr[idx] = _unquote(value)
            target = ("msgstr", idx)
        else:
            raise ValueError(f"{path}: bad line {line!r}")
        fresh = False
    for e in entries:
        if not e.msgstr:
            e.msgstr = [""]
    if not entries or entries[0].msgid or entries[0].msgctxt is not None:
        raise ValueError(f"{path}: no header entry")
    return entries[0], entries[1:]


def _string_lines(keyword: str, text: str, width: int = 79) -> list[str]:
    """Format ``keyword "text"`` the way gettext does (wrapped, split after \\n)."""
    one = f"{keyword} {_quote(text)}"
    if len(one) <= width and "\n" not in text[:-1]:
        return [one]
    pieces: list[str] = []
    for part in re.split(r"(?<=\n)", text):
        if not part:
            continue
        # wrap at spaces so that each quoted line fits in width
        words = re.split(r"(?<= )", part)
        line = ""
        for w in words:
            if line and len(_quote(line + w)) > width:
                pieces.append(line)
                line = w
            else:
                line += w
        if line:
            pieces.append(line)
    return [f'{keyword} ""'] + [_quote(p) for p in pieces]


def format_entry(e: Entry) -> str:
    out: list[str] = []
    out += [f"# {c}" if c else "#" for c in e.translator_comments]
    out += [f"#. {c}" for c in e.extracted_comments]
    out += [f"#: {r}" for r in e.references]
    if e.flags:
        out.append("#, " + ", ".join(e.flags))
    out += [f"#| {p}" for p in e.previous]
    if e.msgctxt is not None:
        out += _string_lines("msgctxt", e.msgctxt)
    out += _string_lines("msgid", e.msgid)
    if e.msgid_plural is not None:
        out += _string_lines("msgid_plural", e.msgid_plural)
        for i, s in enumerate(e.msgstr):
            out += _string_lines(f"msgstr[{i}]", s)
    else:
        out += _string_lines("msgstr", e.msgstr[0])
    return "\n".join(out) + "\n"


def write_po(path: Path, header: Entry, entries: list[Entry]) -> None:
    text = "\n".join(format_entry(e) for e in [header, *entries])
    path.write_text(text, encoding="utf-8")


LANGUAGE_TEAMS = {"zh_Hant": "Traditional Chinese (Taiwan)", "zh_Hans": "Simplified Chinese", "en": "English (source)"}


def normalize_header(header: Entry, lang: str) -> None:
    """Give makemessages' template header our project's values (msgmerge keeps them)."""
    header.set_fuzzy(False)
    header.translator_comments = [
        f"Liaison: {LANGUAGE_TEAMS.get(lang, lang)} catalogue.",
        "Update with scripts/po_update.py; draft zh_Hans with scripts/po_simplify.py.",
    ]
    values = {
        "Project-Id-Version": "Liaison",
        "Last-Translator": "Liaison team",
        "Language-Team": LANGUAGE_TEAMS.get(lang, lang),
        "Language": lang,
    }
    lines = header.msgstr[0].split("\n")
    for i, line in enumerate(lines):
        key = line.split(":", 1)[0]
        if key in values:
            lines[i] = f"{key}: {values[key]}"
    header.msgstr[0] = "\n".join(lines)


def po_path(lang: str, domain: str = "django") -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{domain}.po"


def check_po(path: Path) -> None:
    """Raise if msgfmt rejects the catalogue (placeholders, syntax)."""
    subprocess.run(["msgfmt", "--check-format", "-o", "/dev/null", str(path)], check=True)


# --------------------------------------------------------------------------- placeholders

_PLACEHOLDER = re.compile(r"%\([^)]+\)[-#0 +]*\d*(?:\.\d+)?[sdifrxXeEgGc]|%[sdif]|\{[A-Za-z_][A-Za-z0-9_.]*\}")


def placeholders(text: str) -> list[str]:
    return sorted(_PLACEHOLDER.findall(text))


def placeholder_problems(e: Entry) -> list[str]:
    """Placeholders of the msgid (or plural msgid) that a translation lacks or adds."""
    want = placeholders(e.msgid_plural or e.msgid)
    if e.msgid_plural is not None and set(placeholders(e.msgid)) - set(want):
        want = sorted(set(want) | set(placeholders(e.msgid)))
    problems = []
    for s in e.msgstr:
        if s and sorted(set(placeholders(s))) != sorted(set(want)):
            problems.append(f"{e.msgid!r}: msgstr {s!r} has {placeholders(s)}, expected {want}")
    return problems


# --------------------------------------------------------------------------- OpenCC

# Terms that must survive conversion unchanged (the procedure's fixed form names, 補貨 ...).
# Traditional -> Simplified, exactly as in the SPEC glossary.
FIXED_T2S = {
    "客戶基本資料表": "客户基本资料表",
    "顧客溝通情況記錄表": "顾客沟通情况记录表",
    "客戶投訴登記及處理報告": "客户投诉登记及处理报告",
    "糾正和預防措施要求書": "纠正和预防措施要求书",
    "合同評審變更登記表": "合同评审变更登记表",
    "客戶滿意度調查表": "客户满意度调查表",
    "數據分析程序": "数据分析程序",
    "生產通知單": "生产通知单",
    "合同評審表": "合同评审表",
    "訂貨記錄": "订货记录",
    "出倉單": "出仓单",
    "流水號": "流水号",
    "補貨": "补货",
}

# Taiwanese -> mainland vocabulary, applied to the Traditional text before t2s.
# Longer keys first (the function sorts them).
VOCAB_T2S = {
    "使用者名稱": "用户名",
    "使用者": "用户",
    "資料庫": "数据库",
    "資料": "数据",
    "檔案": "文件",
    "儲存": "保存",
    "搜尋": "搜索",
    "預設值": "默认值",
    "預設": "默认",
    "訊息": "消息",
    "資訊": "信息",
    "網路": "网络",
    "軟體": "软件",
    "程式碼": "代码",
    "程式": "程序",
    "列印": "打印",
    "匯入": "导入",
    "匯出": "导出",
    "檢視": "查看",
    "登出": "退出",
    "設定": "设置",
    "介面": "界面",
    "螢幕": "屏幕",
    "影像": "图像",
    "選單": "菜单",
    "視窗": "窗口",
    "連結": "链接",
    "回饋": "反馈",
    "支援": "支持",
    "欄位": "字段",
    "行動電話": "手机",
    "品質": "质量",
    "電子郵件": "电子邮件",
    "批次": "批量",
    "篩選": "筛选",
    "最佳化": "优化",
    "伺服器": "服务器",
    "頁面": "页面",
    "取消選取": "取消选择",
    "選取": "选择",
    "全選": "全选",
    "位元組": "字节",
    "上傳": "上传",
    "下載": "下载",
    "預覽": "预览",
    "剪貼簿": "剪贴板",
    "專案": "项目",
    "巨集": "宏",
    "圖示": "图标",
    "帳號": "账号",
    "帳戶": "账户",
    "密碼": "密码",
    # project vocabulary (see the catalogues)
    "聯絡人": "联系人",
    "聯絡": "联系",
    "掃描檔": "扫描件",
    "開啟": "打开",
    "時間軸": "时间线",
    "建立": "创建",
    "檔名": "文件名",
    "總覽": "概览",
    "活頁簿": "工作簿",
    "標題列": "表头行",
    "資料列": "数据行",
    "職稱": "职务",
    "皆可": "均可",
    "營業項目": "经营范围",
    "庫存異動": "出入库记录",
    "出貨": "发货",
    "管道": "渠道",
    "來件人": "发件人",
    "主旨": "主题",
    "快速鍵": "快捷键",
    "分頁": "标签页",
    "清單": "列表",
    "按一下": "点击",
    "復原": "恢复",
    "略過": "跳过",
    "物件": "对象",
    "全域": "全局",
    "佇列": "队列",
    "群組": "组",
    # punctuation: Taiwan uses 「」 and full-width ／, the mainland “” and /
    "「": "“",
    "」": "”",
    "『": "‘",
    "』": "’",
    "／": "/",
}

# Mainland -> Taiwanese vocabulary, applied to the Simplified text before s2t.
VOCAB_S2T = {
    "用户名": "使用者名稱",
    "用户": "使用者",
    "数据库": "資料庫",
    "数据": "資料",
    "文件": "檔案",
    "保存": "儲存",
    "搜索": "搜尋",
    "默认": "預設",
    "消息": "訊息",
    "信息": "資訊",
    "网络": "網路",
    "软件": "軟體",
    "代码": "程式碼",
    "打印": "列印",
    "导入": "匯入",
    "导出": "匯出",
    "查看": "檢視",
    "退出登录": "登出",
    "注销": "登出",
    "设置": "設定",
    "界面": "介面",
    "屏幕": "螢幕",
    "对象": "物件",
    "菜单": "選單",
    "窗口": "視窗",
    "链接": "連結",
    "反馈": "回饋",
    "支持": "支援",
    "字段": "欄位",
    "质量": "品質",
    "批量": "批次",
    "服务器": "伺服器",
    "运行": "執行",
    "字节": "位元組",
    "图标": "圖示",
    "账号": "帳號",
    "账户": "帳戶",
    "添加": "新增",
    "创建": "建立",
    "删除": "刪除",
    "视图": "檢視",
    "日志": "日誌",
    "只读": "唯讀",
}

# Fixes after OpenCC for forms that its character tables get wrong in a UI.
POST_S2T = {
    "源代碼": "原始碼",
}
POST_T2S = {}

_converters: dict[str, object] = {}


def _opencc(config: str):
    if config not in _converters:
        import opencc  # opencc-python-reimplemented

        _converters[config] = opencc.OpenCC(config)
    return _converters[config]


def _convert(text: str, vocab: dict[str, str], fixed: dict[str, str], config: str, post: dict[str, str]) -> str:
    # Protect placeholders and fixed terms with markers OpenCC leaves alone.
    saved: list[str] = []

    def keep(value: str) -> str:
        saved.append(value)
        return f"\x00{len(saved) - 1}\x00"

    text = _PLACEHOLDER.sub(lambda m: keep(m.group(0)), text)
    table = {**vocab, **fixed}
    if table:
        pattern = re.compile("|".join(re.escape(k) for k in sorted(table, key=len, reverse=True)))
        text = pattern.sub(lambda m: keep(table[m.group(0)]), text)
    text = _opencc(config).convert(text)
    for a, b in post.items():
        text = text.replace(a, b)
    return re.sub(r"\x00(\d+)\x00", lambda m: saved[int(m.group(1))], text)


def to_simplified(text: str) -> str:
    """Traditional (Taiwan) -> Simplified (mainland) draft."""
    return _convert(text, VOCAB_T2S, FIXED_T2S, "t2s", POST_T2S)


def to_traditional(text: str) -> str:
    """Simplified (mainland) -> Traditional (Taiwan) draft."""
    fixed_s2t = {v: k for k, v in FIXED_T2S.items()}
    return _convert(text, VOCAB_S2T, fixed_s2t, "s2t", POST_S2T)
