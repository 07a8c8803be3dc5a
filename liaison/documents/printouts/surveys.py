"""F10 客戶滿意度調查表, printed: the customer satisfaction survey form as sent and as returned.

The form goes out by fax, post or in person as this PDF (R-5.6.3): the customer ticks a
box from 1 to 5 for each criterion in the form's language, writes comments and sends it
back by the "return by" day, or answers online through the private link printed on it.
Once returned, the same form prints with the scores filled in; a form returned too late
or voided prints with the void mark (R-5.6.3: kept, left out of the statistics).
"""

from django.utils import translation
from django.utils.translation import gettext as _
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Table

from liaison.documents.pdf import GRID, SHADE, Sheet, SignBox, field_label, fmt_date, fmt_datetime, fmt_person
from liaison.documents.printouts.common import void_watermark
from liaison.satisfaction.models import SurveyForm
from liaison.satisfaction.services import public_url
from liaison.satisfaction.states import FORM_VOID, SCORE_MAX, SCORE_MIN

EMPTY_BOX, TICKED_BOX = "□", "■"
COMMENT_BOX_HEIGHT = 38 * mm


def _scale_labels() -> list[str]:
    return [
        _("very dissatisfied"),
        _("dissatisfied"),
        _("neutral"),
        _("satisfied"),
        _("very satisfied"),
    ]


def _score_grid(sheet: Sheet, form: SurveyForm, language: str) -> Table:
    """One row per criterion with a box per score; the customer's score ticked when returned."""
    scores = {score.criterion_id: score.score for score in form.scores.all()}
    scale = range(SCORE_MIN, SCORE_MAX + 1)
    labels = _scale_labels()
    head = ["#", _("Criterion")] + [
        [sheet.para(str(n), "head"), sheet.para(labels[n - SCORE_MIN], "scale")] for n in scale
    ]
    rows = [[sheet.para(cell, "head") if isinstance(cell, str) else cell for cell in head]]
    for index, criterion in enumerate(form.template.criteria.all(), start=1):
        given = scores.get(criterion.pk)
        rows.append(
            [sheet.para(str(index), "center"), sheet.para(criterion.label(language))]
            + [sheet.para(TICKED_BOX if given == n else EMPTY_BOX, "box") for n in scale]
        )
    box_width = 0.135 * sheet.width
    widths = [0.06 * sheet.width, sheet.width - 0.06 * sheet.width - 5 * box_width] + [box_width] * 5
    table = Table(rows, colWidths=widths, repeatRows=1, hAlign="LEFT")
    table.setStyle(
        sheet._table_style(
            [
                ("GRID", (0, 0), (-1, -1), 0.6, GRID),
                ("BACKGROUND", (0, 0), (-1, 0), SHADE),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 1), (-1, -1), 6),
                ("BOTTOMPADDING", (0, 1), (-1, -1), 7),
            ]
        )
    )
    return table


def _comment_box(sheet: Sheet, form: SurveyForm) -> Table:
    table = Table(
        [[sheet.para(_("Comments and suggestions"), "label")], [sheet.para(form.comments)]],
        colWidths=[sheet.width],
        rowHeights=[None, COMMENT_BOX_HEIGHT],
        hAlign="LEFT",
    )
    table.setStyle(
        sheet._table_style(
            [
                ("BOX", (0, 0), (-1, -1), 0.8, GRID),
                ("LINEBELOW", (0, 0), (-1, 0), 0.6, GRID),
                ("BACKGROUND", (0, 0), (-1, 0), SHADE),
                ("VALIGN", (0, 1), (-1, 1), "TOP"),
            ]
        )
    )
    return table


def render_f10(form: SurveyForm, *, language: str | None = None) -> bytes:
    """F10 客戶滿意度調查表 in ``language`` (default: the form's own language)."""
    language = language or form.language
    with translation.override(language):
        state = form.state()
        void = state in FORM_VOID
        void_word = void_watermark(language)
        entered = form.entered_by
        sheet = Sheet(
            form_id="F10",
            title=_("Customer satisfaction survey form"),
            number=form.number,
            language=language,
            sign_boxes=[
                SignBox(_("Customer's signature / stamp")),
                SignBox(_("Date")),
                SignBox(
                    _("Entered by"),
                    _("answered online") if form.answered_online else fmt_person(entered),
                    fmt_datetime(form.entered_at),
                ),
            ],
            watermark=void_word if void else "",
        )
        sheet.styles["box"] = sheet.styles["center"].clone("box", fontSize=15, leading=18)
        sheet.styles["scale"] = sheet.styles["small_center"].clone("scale", splitLongWords=False)
        label = lambda name: field_label(SurveyForm, name)  # noqa: E731
        story = []
        if void:
            if form.voided_at is not None:
                lines = [
                    f"{label('voided_at')}: {fmt_datetime(form.voided_at)}　{label('voided_by')}: "
                    f"{fmt_person(form.voided_by)}",
                    f"{label('void_reason')}: {form.void_reason}",
                ]
            else:
                lines = [
                    _("Returned on %(returned)s, after the last valid day %(valid)s: kept, but not counted.")
                    % {"returned": fmt_date(form.returned_on), "valid": fmt_date(form.valid_until)}
                ]
            story += [sheet.stamp(void_word, lines), sheet.space()]
        contact = form.contact
        story += [
            sheet.fields(
                [
                    (label("customer"), form.customer.registered_name, "wide"),
                    (label("contact"), contact.name if contact else ""),
                    (_("Phone / fax"), " / ".join(v for v in (form.customer.phone, form.customer.fax) if v)),
                    (label("round"), form.round.number if form.round else form.get_source_display()),
                    (label("channel"), form.get_channel_display()),
                    (label("sent_at"), fmt_date(form.sent_at)),
                    (_("Return by"), fmt_date(form.valid_until)),
                ]
            ),
            sheet.space(),
            sheet.para(
                _(
                    "Dear customer, thank you for your business. To serve you better, please score how satisfied "
                    "you are with each item below: tick one box from 1 (very dissatisfied) to 5 (very satisfied)."
                )
            ),
            sheet.space(2 * mm),
            _score_grid(sheet, form, language),
            sheet.space(),
            KeepTogether([_comment_box(sheet, form)]),
            sheet.space(),
        ]
        if form.sent_at is not None and form.returned_on is None and not void:
            story.append(
                sheet.para(
                    _("Please return this form by %(day)s by fax, post or e-mail. You may also answer online:")
                    % {"day": fmt_date(form.valid_until)}
                )
            )
            story.append(sheet.para(public_url(form.answer_path()), "small"))
        if form.returned_on is not None:
            online = _("answered online") if form.answered_online else ""
            returned = _("Returned on %(day)s") % {"day": fmt_date(form.returned_on)}
            story.append(sheet.para(f"{returned} ({online})" if online else returned))
        return sheet.build(story)
