"""Each printed form is a valid PDF with its Chinese text embedded and extractable."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.utils import translation

from liaison.documents import selectors
from liaison.documents.printouts import communications, orders, stock
from liaison.documents.tests.data import CUSTOMER_NAME, chain
from liaison.orders.models import OrderLine
from liaison.production.models import ProductionNotice

pytestmark = pytest.mark.django_db

LANGUAGES = ["zh-hant", "zh-hans", "en"]
TITLES = {
    "F1": "Order log",
    "F2": "Contract review form",
    "F3": "Contract change register",
    "F4": "Production notice",
    "F5": "Customer communication record",
    "F8": "Warehouse outbound slip",
}


def render(form_id: str, data, language: str) -> bytes:
    if form_id == "F1":
        return orders.render_f1(selectors.order_for_f1(pk=data.order.pk), language=language)
    if form_id == "F2":
        return orders.render_f2(selectors.review_round_for_f2(pk=data.review_round.pk), language=language)
    if form_id == "F3":
        return orders.render_f3(selectors.order_for_f3(pk=data.order.pk), language=language)
    if form_id == "F4":
        return orders.render_f4(selectors.notice_for_f4(pk=data.notice.pk), language=language)
    if form_id == "F5":
        period = {"date_from": dt.date(2026, 1, 1), "date_to": dt.date(2026, 12, 31)}
        records = selectors.communications_for_f5(customer=data.customer, **period)
        return communications.render_f5(data.customer, records, language=language, **period)
    return stock.render_f8(selectors.slip_for_f8(pk=data.slip.pk), language=language)


def flat(text: str) -> str:
    """pdftotext lays text out in columns; compare without the spacing."""
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("form_id", list(TITLES))
def test_form_renders_with_embedded_chinese(form_id, language, pdf_text):
    data = chain()
    content = render(form_id, data, language)

    assert content.startswith(b"%PDF-")
    assert b"/FontFile2" in content  # the TrueType subset is inside the file
    assert b"/Helvetica" not in content  # and nothing refers to an unembedded font
    text = flat(pdf_text(content))
    numbers = {
        "F1": "ORD-2026-0001",
        "F2": "ORD-2026-0001-R1",
        "F3": "ORD-2026-0001-F3",
        "F4": data.notice.number,
        "F5": f"F5-{data.customer.pk}-20260101-20261231",
        "F8": data.slip.number,
    }
    assert numbers[form_id] in text
    assert CUSTOMER_NAME in text  # extracted through the ToUnicode map
    with translation.override(language):
        assert flat(translation.gettext(TITLES[form_id])) in text
    assert "1/1" in text  # page x / y


def test_f1_shows_lines_clarifications_and_long_text(pdf_text):
    data = chain()
    text = flat(pdf_text(render("F1", data, "zh-hant")))

    for expected in ["HB-M6-20", "5000", "2500.5", "PO-778", "FAX-2026-0001", "鍍鋅顏色：白鋅還是彩鋅？", "白鋅"]:
        assert expected in text
    # Long Chinese text wraps inside its box instead of running off the page.
    assert "交貨前三天傳真出貨通知" in text


def test_f2_shows_each_department_and_the_decision(pdf_text):
    data = chain()
    text = flat(pdf_text(render("F2", data, "zh-hant")))

    for department in ["業務部", "質檢部", "一車間（沖壓）", "倉庫"]:
        assert department in text
    assert "✓" in text and "×" in text  # the workshop said no to the delivery date
    assert "產能緊張" in text and "三天" in text  # wraps in its cell
    assert "週六加班" in text  # how the workshop's "cannot meet" will be met
    assert "符合GB/T5782及RoHS" in text
    assert "第二批交期延至4月18日" in text


def test_f3_lists_every_change_of_the_order(pdf_text):
    data = chain()
    text = flat(pdf_text(render("F3", data, "zh-hant")))

    assert text.index("CHG-2026-0001") < text.index("CHG-2026-0002")
    assert "王經理" in text and "線材供應商延遲交貨" in text


def test_f5_prints_only_the_period(pdf_text):
    data = chain()
    text = flat(pdf_text(render("F5", data, "zh-hant")))

    assert "收到傳真訂單PO-778，已登記" in text
    assert "去年的詢價" not in text


def test_void_notice_carries_the_void_mark_reason_and_successor(pdf_text):
    data = chain()
    notice = selectors.notice_for_f4(pk=data.old_notice.pk)

    chinese = flat(pdf_text(orders.render_f4(notice, language="zh-hant")))
    english = flat(pdf_text(orders.render_f4(notice, language="en")))

    assert chinese.count("作廢") >= 2  # the stamp and the watermark
    assert "VOID" in english
    for text in (chinese, english):
        assert "物料延誤，客戶同意延期" in text
        assert data.notice.number in text  # the successor


def test_current_notice_has_no_void_mark(pdf_text):
    data = chain()
    english = flat(pdf_text(render("F4", data, "en")))

    assert "VOID" not in english
    assert data.old_notice.number in english  # "replaces notice"


@pytest.mark.parametrize("language", ["zh-hant", "en"])
def test_replenishment_notice_and_slip_are_marked(language, pdf_text):
    data = chain()
    notice = orders.render_f4(selectors.notice_for_f4(pk=data.replenishment_notice.pk), language=language)
    slip = stock.render_f8(selectors.slip_for_f8(pk=data.slip.pk), language=language)
    ordinary = orders.render_f4(selectors.notice_for_f4(pk=data.notice.pk), language=language)

    assert "補貨" in pdf_text(notice)
    assert "補貨" in pdf_text(slip)
    assert "補貨" not in pdf_text(ordinary)


def test_replenishment_mark_in_simplified(pdf_text):
    data = chain()
    content = stock.render_f8(selectors.slip_for_f8(pk=data.slip.pk), language="zh-hans")

    with translation.override("zh-hans"):
        mark = str(ProductionNotice._meta.get_field("replenishment").verbose_name)
    assert mark in pdf_text(content)


def test_markup_in_user_text_is_printed_literally(pdf_text):
    data = chain(customer_name='<b>x</b> & <font size="40">Co</font>')
    OrderLine.objects.filter(order=data.order).update(specification="<br/>&amp; 規格")
    content = render("F1", data, "en")

    text = pdf_text(content)
    assert '<b>x</b> & <font size="40">Co</font>' in text
    assert "<br/>&amp; 規格" in text


def test_characters_missing_from_the_traditional_font_come_from_the_simplified_one(pdf_text):
    # Noto Sans TC has no 货 (Simplified); the form borrows it from Noto Sans SC.
    data = chain(customer_name="广州市百货有限公司")
    content = render("F1", data, "zh-hant")

    assert "广州市百货有限公司" in pdf_text(content)
    assert b"NotoSansSC" in content and b"NotoSansTC" in content


def test_long_forms_run_over_pages_with_page_numbers_and_one_set_of_sign_boxes(pdf_text):
    data = chain()
    product = data.order.lines.first().product
    OrderLine.objects.bulk_create(
        OrderLine(
            order=data.order, line_no=number, product=product, quantity=Decimal(number),
            specification="長規格說明，" * 8, required_date=dt.date(2026, 6, 1),
        )
        for number in range(3, 80)
    )
    content = render("F1", data, "en")

    pages = [flat(page) for page in pdf_text(content).split("\f")[:-1]]
    total = len(pages)
    assert total >= 3
    for number, page in enumerate(pages, start=1):
        assert f"{number}/{total}" in page
        assert "ORD-2026-0001" in page
    assert [("Approvedby" in page) for page in pages] == [False] * (total - 1) + [True]
