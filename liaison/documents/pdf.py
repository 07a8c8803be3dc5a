"""The paper-form frame every printed form shares.

Each page carries the company header (company name, form title and id, document
number, version, printed date, page x / y); the last page carries the prepared /
reviewed / approved boxes where the form has them. The body is built from grid tables
like the paper forms. All user text goes through ``Sheet.text``, which escapes it for
ReportLab's mini-HTML and prints characters the script's font lacks (a Simplified name
on a Traditional form) with the other script's font.
"""

import datetime as dt
import functools
import io
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from xml.sax.saxutils import escape

from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate, Paragraph, Spacer, Table, TableStyle

from liaison.core import clock
from liaison.documents import conf, fonts

GRID = colors.black
SHADE = colors.HexColor("#E8E8E8")
RED = colors.HexColor("#C62828")
MARGIN = 12 * mm
GAP = 4 * mm
SIGN_LABEL_HEIGHT = 6 * mm
SIGN_BOX_HEIGHT = 14 * mm
PORTRAIT = "portrait"
LANDSCAPE = "landscape"


@dataclass(frozen=True)
class SignBox:
    """One box at the bottom of a form: its label and, when the system knows them, who and when."""

    label: str
    name: str = ""
    when: str = ""


def fmt_date(value: dt.date | dt.datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value.isoformat()


def fmt_datetime(value: dt.datetime | None) -> str:
    if value is None:
        return ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.strftime("%Y-%m-%d %H:%M")


def fmt_person(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def fmt_check(value: bool | None) -> str:
    """A tick for yes, a cross for no, nothing when not answered yet (as on paper)."""
    if value is None:
        return ""
    return "✓" if value else "×"


def fmt_quantity(value: Decimal | None) -> str:
    return "" if value is None else f"{Decimal(value).normalize():f}"


def field_label(model, name: str) -> str:
    """The translated label of a model field, as the rest of the UI shows it."""
    return capfirst(str(model._meta.get_field(name).verbose_name))


class _FormCanvas(Canvas):
    """A canvas that draws each page's frame at the end, when the page count is known."""

    def __init__(self, *args, sheet: "Sheet", **kwargs):
        super().__init__(*args, **kwargs)
        self._sheet = sheet
        self._pages: list[dict] = []

    def showPage(self):
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        total = len(self._pages)
        for number, state in enumerate(self._pages, start=1):
            self.__dict__.update(state)
            self._sheet.decorate(self, page=number, pages=total)
            super().showPage()
        super().save()


class Sheet:
    """One printed form: its frame, its styles and the building blocks of its body."""

    def __init__(
        self,
        *,
        form_id: str,
        title: str,
        number: str,
        language: str,
        orientation: str = PORTRAIT,
        sign_boxes: Sequence[SignBox] = (),
        marks: Sequence[str] = (),
        watermark: str = "",
    ):
        self.form_id = form_id
        self.title = title
        self.number = number
        self.language = language
        self.sign_boxes = list(sign_boxes)
        self.marks = list(marks)
        self.watermark = watermark
        self.fonts = fonts.font_set(fonts.script_for(language))
        self._fallback: fonts.FontSet | None = None
        self.pagesize = landscape(A4) if orientation == LANDSCAPE else A4
        self.width = self.pagesize[0] - 2 * MARGIN
        self.printed_on = clock.today()
        self.styles = self._styles()
        self._labels = {
            "number": _("Document no."),
            "version": _("Version"),
            "printed": _("Printed on"),
            "page": _("Page"),
        }
        # The header's height does not depend on the page number: measure it once.
        self.header_height = self._header(page=99, pages=99).wrap(self.width, self.pagesize[1])[1]
        self.footer_height = SIGN_LABEL_HEIGHT + SIGN_BOX_HEIGHT if self.sign_boxes else 0

    # Styles and text -------------------------------------------------------------

    def _styles(self) -> dict[str, ParagraphStyle]:
        # Chinese has no spaces between words: wrap between any two characters.
        wrap = "CJK" if self.language.lower().startswith("zh") else None
        body = ParagraphStyle(
            "body", fontName=self.fonts.regular, fontSize=9, leading=12, wordWrap=wrap, splitLongWords=True
        )

        def derive(name: str, **kwargs) -> ParagraphStyle:
            return ParagraphStyle(name, parent=body, **kwargs)

        return {
            "body": body,
            "label": derive("label", textColor=colors.HexColor("#222222")),
            "head": derive("head", fontName=self.fonts.bold, fontSize=8.5, leading=11, alignment=TA_CENTER),
            "center": derive("center", alignment=TA_CENTER),
            "number": derive("number", alignment=TA_RIGHT),
            "small": derive("small", fontSize=7.5, leading=9.5),
            "small_center": derive("small_center", fontSize=7.5, leading=9.5, alignment=TA_CENTER),
            "company": derive("company", fontSize=11, leading=15, alignment=TA_CENTER),
            "title": derive("title", fontName=self.fonts.bold, fontSize=17, leading=22, alignment=TA_CENTER),
            "formid": derive("formid", fontSize=8.5, leading=11, alignment=TA_CENTER),
            "section": derive("section", fontName=self.fonts.bold, fontSize=10.5, leading=14, spaceBefore=8, spaceAfter=3),
            "mark": derive("mark", fontName=self.fonts.bold, fontSize=20, leading=24, alignment=TA_CENTER, textColor=RED),
            "mark_gloss": derive("mark_gloss", fontSize=7, leading=9, alignment=TA_CENTER, textColor=RED),
            "stamp": derive("stamp", textColor=RED),
            "stamp_head": derive(
                "stamp_head", fontName=self.fonts.bold, fontSize=14, leading=18, textColor=RED
            ),
        }

    def _fallback_fonts(self) -> fonts.FontSet:
        if self._fallback is None:
            self._fallback = fonts.font_set(fonts.other_script(self.fonts.script), static=self.fonts.static)
        return self._fallback

    def _needs_fallback(self, char: str) -> bool:
        if char.isascii() or self.fonts.covers(char):
            return False
        return self._fallback_fonts().covers(char)

    def text(self, value) -> str:
        """Markup that prints ``value`` literally: escaped, line breaks kept, every glyph found."""
        if value is None:
            return ""
        value = str(value).replace("\r\n", "\n")
        parts = []
        for fallback, run in itertools.groupby(value, key=self._needs_fallback):
            chunk = escape("".join(run)).replace("\n", "<br/>")
            parts.append(f'<font face="{self._fallback_fonts().regular}">{chunk}</font>' if fallback else chunk)
        return "".join(parts)

    def para(self, value, style: str = "body") -> Paragraph:
        """A paragraph of user (or translated) text, printed literally."""
        return Paragraph(self.text(value), self.styles[style])

    def _cell(self, value, style: str = "body"):
        if isinstance(value, Flowable) or isinstance(value, list):
            return value
        return self.para(value, style)

    # Building blocks of a form's body ----------------------------------------------

    def section(self, title: str) -> Paragraph:
        return self.para(title, "section")

    def fields(self, pairs: Iterable[tuple], *, columns: int = 2) -> Table:
        """Label / value boxes, ``columns`` pairs a row; a pair ``(label, value, "wide")`` takes the whole row."""
        label_width = 0.16 * self.width if columns == 2 else 0.2 * self.width
        value_width = (self.width - columns * label_width) / columns
        widths = [label_width, value_width] * columns
        rows: list[list] = []
        current: list = []

        def close_row():
            nonlocal current
            if current:
                current += ["", ""] * ((2 * columns - len(current)) // 2)
                rows.append(current)
                current = []

        wide_rows: set[int] = set()
        for pair in pairs:
            label, value, *flags = pair
            if "wide" in flags:
                close_row()
                rows.append([self.para(label, "label"), self._cell(value)] + [""] * (2 * columns - 2))
                wide_rows.add(len(rows) - 1)
                continue
            current += [self.para(label, "label"), self._cell(value)]
            if len(current) == 2 * columns:
                close_row()
        close_row()
        table = Table(rows, colWidths=widths, hAlign="LEFT")
        style = [
            ("GRID", (0, 0), (-1, -1), 0.6, GRID),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("TOPPADDING", (0, 0), (-1, -1), 3),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
        ]
        for row in range(len(rows)):
            if row in wide_rows:
                style += [("BACKGROUND", (0, row), (0, row), SHADE), ("SPAN", (1, row), (-1, row))]
            else:
                style += [("BACKGROUND", (c, row), (c, row), SHADE) for c in range(0, 2 * columns, 2)]
        table.setStyle(self._table_style(style))
        return table

    def grid(
        self,
        headers: Sequence[str],
        rows: Iterable[Sequence],
        widths: Sequence[float],
        *,
        numeric: Sequence[int] = (),
    ) -> Table:
        """A ruled table with a shaded header row repeated on each page.

        ``widths`` are fractions of the text width; ``numeric`` columns are right-aligned.
        """
        data = [[self.para(header, "head") for header in headers]]
        for row in rows:
            data.append([self._cell(value, "number" if index in numeric else "body") for index, value in enumerate(row)])
        style = [
            ("GRID", (0, 0), (-1, -1), 0.6, GRID),
            ("BACKGROUND", (0, 0), (-1, 0), SHADE),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("TOPPADDING", (0, 0), (-1, -1), 3),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ("LEFTPADDING", (0, 0), (-1, -1), 4),
            ("RIGHTPADDING", (0, 0), (-1, -1), 4),
        ]
        if len(data) == 1:
            data.append([self.para(_("(none)"), "center")] + [""] * (len(headers) - 1))
            style.append(("SPAN", (0, 1), (-1, 1)))
        table = Table(data, colWidths=[fraction * self.width for fraction in widths], repeatRows=1, hAlign="LEFT")
        table.setStyle(self._table_style(style))
        return table

    def stamp(self, heading: str, lines: Sequence[str]) -> Table:
        """A red-framed notice across the form (used for the void stamp)."""
        content = [self.para(heading, "stamp_head")] + [self.para(line, "stamp") for line in lines if line]
        table = Table([[content]], colWidths=[self.width], hAlign="LEFT")
        table.setStyle(
            self._table_style(
                [
                    ("BOX", (0, 0), (-1, -1), 2, RED),
                    ("TOPPADDING", (0, 0), (-1, -1), 5),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
                    ("LEFTPADDING", (0, 0), (-1, -1), 8),
                ]
            )
        )
        return table

    def _table_style(self, commands: list) -> TableStyle:
        # Empty cells are drawn with the table's font too: make it ours, not ReportLab's Helvetica.
        return TableStyle([("FONTNAME", (0, 0), (-1, -1), self.fonts.regular), *commands])

    @staticmethod
    def space(height: float = 3 * mm) -> Spacer:
        return Spacer(1, height)

    # The frame ---------------------------------------------------------------------

    def _header(self, *, page: int, pages: int) -> Table:
        labels = self._labels
        info = [
            (labels["number"], self.number),
            (labels["version"], conf.FORM_VERSION),
            (labels["printed"], self.printed_on.isoformat()),
            (labels["page"], f"{page} / {pages}"),
        ]
        label_width, value_width = 0.15 * self.width, 0.2 * self.width
        mark_width = 0.13 * self.width if self.marks else 0
        title_width = self.width - label_width - value_width - mark_width
        title = [
            self.para(conf.company_name(), "company"),
            self.para(self.title, "title"),
            self.para(self.form_id, "formid"),
        ]
        rows = []
        for index, (label, value) in enumerate(info):
            row = [title if index == 0 else ""]
            if self.marks:
                first, *glosses = self.marks
                mark = [self.para(first, "mark")] + [self.para(gloss, "mark_gloss") for gloss in glosses]
                row.append(mark if index == 0 else "")
            rows.append(row + [self.para(label, "label"), self.para(value)])
        widths = [title_width] + ([mark_width] if self.marks else []) + [label_width, value_width]
        label_col = len(widths) - 2
        style = [
            ("GRID", (0, 0), (-1, -1), 0.8, GRID),
            ("BOX", (0, 0), (-1, -1), 1.4, GRID),
            ("SPAN", (0, 0), (0, -1)),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("BACKGROUND", (label_col, 0), (label_col, -1), SHADE),
        ]
        if self.marks:
            style += [
                ("SPAN", (1, 0), (1, -1)),
                ("BOX", (1, 0), (1, -1), 2.5, RED),
                ("LEFTPADDING", (1, 0), (1, -1), 2),
                ("RIGHTPADDING", (1, 0), (1, -1), 2),
            ]
        table = Table(rows, colWidths=widths)
        table.setStyle(self._table_style(style))
        return table

    def _signatures(self) -> Table:
        labels = [self.para(box.label, "head") for box in self.sign_boxes]
        filled = [
            [self.para(box.name, "center"), self.para(box.when, "small_center")] if box.name else ""
            for box in self.sign_boxes
        ]
        width = self.width / len(self.sign_boxes)
        table = Table(
            [labels, filled],
            colWidths=[width] * len(self.sign_boxes),
            rowHeights=[SIGN_LABEL_HEIGHT, SIGN_BOX_HEIGHT],
        )
        table.setStyle(
            self._table_style(
                [
                    ("GRID", (0, 0), (-1, -1), 0.8, GRID),
                    ("BOX", (0, 0), (-1, -1), 1.4, GRID),
                    ("BACKGROUND", (0, 0), (-1, 0), SHADE),
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                    ("TOPPADDING", (0, 0), (-1, 0), 0),
                    ("BOTTOMPADDING", (0, 0), (-1, 0), 2),
                ]
            )
        )
        return table

    def decorate(self, canvas: Canvas, *, page: int, pages: int) -> None:
        """Draw the frame of one page: header always, watermark if any, sign boxes on the last."""
        page_width, page_height = self.pagesize
        header = self._header(page=page, pages=pages)
        header.wrapOn(canvas, self.width, page_height)
        header.drawOn(canvas, MARGIN, page_height - MARGIN - self.header_height)
        if self.watermark:
            canvas.saveState()
            canvas.setFillColor(RED, alpha=0.16)
            canvas.translate(page_width / 2, page_height / 2)
            canvas.rotate(30)
            size = min(page_width, page_height) / max(2.5, len(self.watermark) * 0.9)
            canvas.setFont(self.fonts.bold, size)
            canvas.drawCentredString(0, -size / 3, self.watermark)
            canvas.restoreState()
        if self.sign_boxes and page == pages:
            signatures = self._signatures()
            signatures.wrapOn(canvas, self.width, page_height)
            signatures.drawOn(canvas, MARGIN, MARGIN)

    def build(self, story: list) -> bytes:
        """Lay out the body in the frame and return the PDF."""
        buffer = io.BytesIO()
        top = MARGIN + self.header_height + GAP
        bottom = MARGIN + self.footer_height + (GAP if self.footer_height else 0)
        document = BaseDocTemplate(
            buffer,
            pagesize=self.pagesize,
            leftMargin=MARGIN,
            rightMargin=MARGIN,
            topMargin=top,
            bottomMargin=bottom,
            title=f"{self.title} {self.number}",
            author=conf.company_name(),
            subject=self.form_id,
            creator="Liaison",
            lang=self.language,
            # Start the canvas in our font, so no unembedded Helvetica is referenced.
            initialFontName=self.fonts.regular,
        )
        frame = Frame(
            MARGIN, bottom, self.width, self.pagesize[1] - top - bottom,
            id="body", leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0,
        )
        document.addPageTemplates([PageTemplate(id="form", frames=[frame])])
        document.build(story, canvasmaker=functools.partial(_FormCanvas, sheet=self))
        return buffer.getvalue()
