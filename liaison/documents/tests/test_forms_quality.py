"""F6, F7 and QC's complaint handling report printed: their text in each language, fonts embedded, who may print.

The records are made through the quality services with the clock moved step by step,
so every signature and date on the forms is one the procedure wrote.
"""

import datetime as dt
import re
from dataclasses import dataclass

import pytest
from django.urls import reverse
from django.utils import translation

from liaison.core import clock
from liaison.core.roles import Role
from liaison.core.tests.factories import (
    WorkshopFactory,
    department_member,
    local,
    qc_head,
    qc_inspector,
    sales,
    sales_head,
    workshop_lead,
)
from liaison.documents import selectors
from liaison.documents.printouts import quality as printouts
from liaison.quality.capa.services import (
    capa_implement,
    capa_issue,
    capa_review,
    capa_verify_effectiveness,
    capa_verify_execution,
)
from liaison.quality.models import CapaRequest, Complaint, NonconformanceRecord
from liaison.quality.report.selectors import complaint_handling_report
from liaison.quality.services.complaints import (
    complaint_acknowledge,
    complaint_feed_back,
    complaint_investigate,
    complaint_record_result,
    complaint_void,
)
from liaison.quality.services.returns import nonconformance_dispose, return_inspect
from liaison.quality.states import CauseCategory, ComplaintKind, Disposition, Effectiveness
from liaison.quality.tests.factories import complaint, shipped

pytestmark = pytest.mark.django_db

LANGUAGES = ["zh-hant", "zh-hans", "en"]
CUSTOMER = "深圳市華豐五金製品有限公司"
CONTENT = (
    "客戶反映第二批 M6×20 六角螺栓螺紋不良，通止規檢驗不通過，無法與客戶自有螺母裝配；"
    "另有部分產品表面鍍鋅層出現白銹，要求全部退貨並於兩週內補發合格品，同時提供不良原因分析報告。"
)
PROBLEM = "M6×20 螺栓螺紋不良：搓絲模磨損後未及時更換，首件檢驗未用通止規"


def at(month: int, day: int, hour: int = 9) -> dt.datetime:
    return local(2026, month, day, hour)


@dataclass
class Printed:
    returned: Complaint
    capa: CapaRequest
    voided: Complaint
    workshop: object


@pytest.fixture
def printed() -> Printed:
    """A return closed after a CAPA sent back once then found effective; and a voided complaint.

    Sales staff register, the Sales head confirms and voids; a QC inspector inspects, disposes, issues
    the CAPA request and records the result; the QC head investigates, verifies and feeds back (R-5.5.1.1-3).
    """
    workshop = WorkshopFactory(name="一車間（搓絲）")
    inspector = qc_inspector(first_name="淑芬", last_name="王")
    head = qc_head(first_name="志明", last_name="周")
    lead = workshop_lead(workshop, first_name="建國", last_name="陳")
    clerk = sales(first_name="美玲", last_name="林")
    confirmer = sales_head(first_name="麗華", last_name="張")
    with clock.frozen(at(6, 1)):
        customer, product, order = shipped(quantity=100)
        customer.registered_name = CUSTOMER
        customer.save(update_fields=["registered_name"])
    with clock.frozen(at(6, 10)):
        returned = complaint(
            customer=customer, order=order, product=product, lot="L-2026-0603", actor=clerk, content=CONTENT,
            kind=ComplaintKind.RETURN, return_lines=[{"product": product, "quantity": 100}],
            requested_remedy="全部退貨，兩週內補發合格品",
        )
    with clock.frozen(at(6, 10, 14)):
        complaint_acknowledge(complaint=returned, actor=confirmer)
    with clock.frozen(at(6, 12)):
        return_inspect(
            return_line=returned.return_lines.get(), arrived=100, good=70, nonconforming=30,
            nonconformity="牙距超差，通止規不通過", actor=inspector,
        )
        nonconformance_dispose(
            record=NonconformanceRecord.objects.get(), disposition=Disposition.SCRAP, note="集中報廢", actor=inspector
        )
        complaint_investigate(
            complaint=returned, cause_category=CauseCategory.MACHINE,
            why_chain=["螺紋牙距超差", "搓絲模磨損", "模具未按保養計劃更換"], root_cause="搓絲模保養計劃未執行",
            containment="在庫品全檢，隔離可疑批次", company_at_fault=True, actor=head,
        )
        capa = capa_issue(
            source=returned, department=workshop, problem=PROBLEM, effectiveness_criterion="連續三個月同類投訴為零",
            due_date=dt.date(2026, 6, 30), actor=inspector,
        )
    with clock.frozen(at(6, 13)):
        capa_review(capa=capa, actor=lead, note="已安排換模")
    with clock.frozen(at(6, 20)):
        capa_implement(
            capa=capa, corrective_action="更換搓絲模，在庫品全數返檢", preventive_action="搓絲模每 5 萬件強制更換，寫入保養計劃",
            implementation="6 月 19 日換模完成，保養計劃 B 版發行", actor=lead,
        )
        capa_verify_execution(capa=capa, actor=head, note="抽查換模記錄")
    with clock.frozen(at(6, 25)):
        # Before the check date: an early judgment, with the reason (R-5.5.1.2).
        capa_verify_effectiveness(
            capa=capa, effectiveness=Effectiveness.PARTLY, new_due_date=dt.date(2026, 7, 15), actor=head,
            note="仍有一批牙距偏大", early_reason="客戶來料抽檢已見同類不良",
        )
    with clock.frozen(at(7, 10)):
        capa_implement(
            capa=capa, corrective_action="更換搓絲模並校正機台", preventive_action="首件加通止規檢驗",
            implementation="7 月 9 日完成", actor=lead,
        )
        capa_verify_execution(capa=capa, actor=head)
    with clock.frozen(at(7, 20)):
        capa_verify_effectiveness(
            capa=capa, effectiveness=Effectiveness.EFFECTIVE, actor=head, early_reason="客戶確認後續三批無同類不良"
        )
        complaint_record_result(complaint=returned, result="70 件回庫，30 件報廢；補發 30 件", actor=inspector)
        complaint_feed_back(complaint=returned, channel="email", summary="已郵件回覆原因分析及改善措施", actor=head)
    with clock.frozen(at(7, 21)):
        voided = complaint(actor=clerk, content="重複登記")
    with clock.frozen(at(7, 21, 10)):
        complaint_void(complaint=voided, reason="重複登記", actor=confirmer)
    return Printed(returned=returned, capa=capa, voided=voided, workshop=workshop)


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture
def cheap_pdfs(monkeypatch):
    """Permission tests need the answer, not the layout: print a stub instead of laying out the form."""
    for name in ("render_f6", "render_f7", "render_complaint_report"):
        monkeypatch.setattr(printouts, name, lambda *args, **kwargs: b"%PDF-stub")


def _gettext(language: str, message: str) -> str:
    with translation.override(language):
        return flat(translation.gettext(message))


def _gettext_words(language: str, message: str) -> list[str]:
    with translation.override(language):
        return translation.gettext(message).split()


def _report():
    with clock.frozen(at(11, 27)):
        return complaint_handling_report(start=dt.date(2026, 6, 1), end=dt.date(2026, 11, 30))


def render(kind: str, data: Printed, language: str) -> bytes:
    if kind == "F6":
        return printouts.render_f6(selectors.complaint_for_f6(pk=data.returned.pk), language=language)
    if kind == "F7":
        return printouts.render_f7(selectors.capa_for_f7(pk=data.capa.pk), language=language)
    return printouts.render_complaint_report(_report(), language=language)


TITLES = {
    "F6": "Complaint registration & handling report",
    "F7": "Corrective & preventive action (CAPA) request",
    "report": "Complaint handling report",
}


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", list(TITLES))
def test_r_5_5_1_2_quality_forms_render_with_embedded_chinese(printed, kind, language, pdf_text):
    content = render(kind, printed, language)

    assert content.startswith(b"%PDF-")
    assert b"/FontFile2" in content
    assert b"/Helvetica" not in content
    text = flat(pdf_text(content, layout=False))
    # The title wraps in its box before the translation pass makes it Chinese: word by word.
    for word in _gettext_words(language, TITLES[kind]):
        assert word in text
    numbers = {"F6": printed.returned.number, "F7": printed.capa.number, "report": "CHR-260601-261130"}
    assert numbers[kind] in text
    assert re.search(r"1/\d", text)  # page x / y


@pytest.mark.parametrize("language", LANGUAGES)
def test_r_5_5_1_2_f6_shows_registration_investigation_goods_capa_and_feedback(printed, language, pdf_text):
    text = flat(pdf_text(render("F6", printed, language), layout=False))

    for expected in [
        CUSTOMER,
        flat(CONTENT),  # long Chinese text wraps inside its box and is all there
        "L-2026-0603",
        "全部退貨，兩週內補發合格品",
        "1.螺紋牙距超差2.搓絲模磨損3.模具未按保養計劃更換",
        "搓絲模保養計劃未執行",
        "在庫品全檢，隔離可疑批次",
        "NCR-2026-0001",
        "集中報廢",
        printed.capa.number,
        "70件回庫，30件報廢；補發30件",
        "已郵件回覆原因分析及改善措施",
        "周志明",  # investigated by, fed back by
        "林美玲",  # registered by
        "2026-07-20",  # result recorded, fed back and closed
    ]:
        assert expected in text, expected
    # The chosen 6M cause is the filled box; the fault, the feedback channel and the quantities in the language.
    assert "■" + _gettext(language, "Machine") in text
    assert "□" + _gettext(language, "Man") in text
    assert _gettext(language, "E-mail") in text
    assert _gettext(language, "Scrap") in text
    for quantity in ["100", "70", "30"]:
        assert quantity in text


def test_r_5_5_1_2_a_void_complaint_prints_with_the_void_stamp(printed, pdf_text):
    record = selectors.complaint_for_f6(pk=printed.voided.pk)
    text = flat(pdf_text(printouts.render_f6(record, language="en"), layout=False))

    assert "VOID" in text
    assert "重複登記" in text


@pytest.mark.parametrize("language", LANGUAGES)
def test_r_5_5_1_2_f7_shows_actions_and_every_signed_step(printed, language, pdf_text):
    text = flat(pdf_text(render("F7", printed, language), layout=False))

    for expected in [
        flat(PROBLEM),
        "連續三個月同類投訴為零",
        "更換搓絲模並校正機台",  # the actions as last recorded
        "首件加通止規檢驗",
        printed.returned.number,  # the source
        CUSTOMER,
        str(printed.workshop),
        "周志明",
        "陳建國",
        "已安排換模",
        "2026-07-15",  # the new due date when it was sent back
    ]:
        assert expected in text, expected
    for meaning in ["Issued", "Reviewed by the department", "Implemented", "Execution verified",
                    "Effectiveness verified", "Returned to the department"]:
        assert _gettext(language, meaning) in text, meaning
    assert _gettext(language, "Closed (effective)") in text


@pytest.mark.parametrize("language", LANGUAGES)
def test_r_3_3_report_pdf_shows_the_figures_and_the_complaint_list(printed, language, pdf_text):
    text = flat(pdf_text(render("report", printed, language), layout=False))

    assert "2026-06-01–2026-11-30" in text
    assert printed.returned.number in text
    assert printed.voided.number not in text  # void registrations are left out
    assert CUSTOMER in text
    assert _gettext(language, "Machine") in text
    assert "100%" in text  # the Pareto line's last point and the table's cumulative share
    assert _gettext(language, "Complaints and returns of the period") in text


def test_r_3_3_report_flowables_embed_in_another_sheet(printed):
    from liaison.documents.pdf import Sheet

    sheet = Sheet(form_id="MR", title="管理評審報告", number="MR-2026-01", language="zh-hant")
    flowables = printouts.complaint_report_flowables(_report(), language="zh-hant", sheet=sheet)

    assert len(flowables) > 5
    assert sheet.build(flowables).startswith(b"%PDF-")


# --- who may print --------------------------------------------------------------------------------


def urls(data: Printed) -> dict[str, str]:
    return {
        "f6": reverse("documents:f6", args=[data.returned.pk]),
        "f7": reverse("documents:f7", args=[data.capa.pk]),
        "report": reverse("documents:complaint-report") + "?start=2026-06-01&end=2026-11-30",
    }


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (Role.SALES_STAFF, {"f6", "f7"}),
        (Role.SALES_HEAD, {"f6", "f7", "report"}),
        (Role.QC_INSPECTOR, {"f6", "f7", "report"}),
        (Role.QC_HEAD, {"f6", "f7", "report"}),
        (Role.MANAGEMENT, {"f6", "f7", "report"}),
        (Role.WAREHOUSE_CLERK, set()),
        (Role.RESPONSIBLE_MEMBER, set()),
    ],
)
def test_r_4_quality_prints_by_role(client_as, printed, cheap_pdfs, role, allowed):
    client = client_as(role)

    for name, url in urls(printed).items():
        expected = 200 if name in allowed else 403
        assert client.get(url).status_code == expected, name


def test_r_3_4_a_department_prints_its_own_capa_but_not_anothers_by_id(client, printed, cheap_pdfs):
    own = department_member(printed.workshop)
    other = department_member(WorkshopFactory(name="二車間"))
    url = urls(printed)["f7"]

    client.force_login(own)
    response = client.get(url)
    assert (response.status_code, response["Content-Disposition"]) == (
        200, f'inline; filename="{printed.capa.number}.pdf"',
    )
    assert client.get(urls(printed)["f6"]).status_code == 403
    client.force_login(other)
    assert client.get(url).status_code == 403


def test_quality_prints_are_named_by_number_and_unknown_records_not_found(client_as, printed):
    client = client_as(Role.QC_INSPECTOR)

    response = client.get(urls(printed)["f6"])
    assert response["Content-Disposition"] == f'inline; filename="{printed.returned.number}.pdf"'
    report = client.get(urls(printed)["report"])
    assert report["Content-Disposition"] == 'inline; filename="CHR-260601-261130.pdf"'
    assert client.get(reverse("documents:f6", args=[999999])).status_code == 404
    assert client.get(reverse("documents:f7", args=[999999])).status_code == 404


@pytest.mark.parametrize(
    ("query", "field_text"),
    [
        ("?start=2026-13-01&end=2026-11-30", "2026-13-01"),
        ("?start=yesterday", "yesterday"),
        ("?start=2026-07-01&end=2026-06-30", "2026-06-30"),
    ],
)
def test_r_3_3_report_refuses_a_malformed_or_reversed_period_in_the_readers_language(client_as, query, field_text):
    client = client_as(Role.QC_HEAD)

    english = client.get(reverse("documents:complaint-report") + query + "&lang=en")
    chinese = client.get(reverse("documents:complaint-report") + query + "&lang=zh-hant")

    assert english.status_code == chinese.status_code == 400
    assert field_text in english.content.decode()
    assert "YYYY-MM-DD" in english.content.decode() or "before it starts" in english.content.decode()


def test_r_3_3_report_without_dates_covers_the_last_six_months(client_as, cheap_pdfs):
    client = client_as(Role.MANAGEMENT)

    with clock.frozen(dt.date(2026, 11, 27)):
        response = client.get(reverse("documents:complaint-report"))

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'inline; filename="CHR-260528-261127.pdf"'
