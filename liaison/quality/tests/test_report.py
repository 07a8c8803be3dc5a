"""QC's complaint handling report for a period (R-3.3): its figures on a known set of complaints.

The set, made through the services with the clock moved step by step (period 2026-06-01 to
2026-11-30, report made on 2026-11-27):

- A  complaint 07-01, acknowledged after 12 h, machine, at fault, CAPA closed effective, closed 07-12;
- B  complaint 08-03, acknowledged after 2 days (late), material, not at fault, closed 08-25 (late);
- C  return 09-01 of 100 pieces (70 good, 30 nonconforming, scrapped), acknowledged after 1 h,
     material, at fault, CAPA sent back once and now overdue;
- D  complaint 11-20, never acknowledged (late), not investigated;
- E  complaint 10-01, voided;
- F  complaint 05-15 (before the period), at fault, its CAPA open and overdue.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from liaison.core import clock
from liaison.core.errors import LiaisonError
from liaison.core.roles import Role
from liaison.core.tests.factories import UserFactory, WorkshopFactory, local, qc_head, sales, sales_head, workshop_lead
from liaison.quality.capa.services import capa_implement, capa_issue, capa_verify_effectiveness, capa_verify_execution
from liaison.quality.models import Complaint, NonconformanceRecord
from liaison.quality.report.errors import ReportErrorCode
from liaison.quality.report.selectors import (
    complaint_handling_report,
    default_period,
    half_years,
    report_period,
)
from liaison.quality.services.complaints import (
    complaint_acknowledge,
    complaint_feed_back,
    complaint_investigate,
    complaint_record_result,
)
from liaison.quality.services.returns import nonconformance_dispose, return_inspect
from liaison.quality.states import CauseCategory, ComplaintKind, ComplaintStatus, Disposition, Effectiveness
from liaison.quality.tests.factories import complaint, shipped

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

START, END = dt.date(2026, 6, 1), dt.date(2026, 11, 30)
TODAY = dt.date(2026, 11, 27)


def at(month: int, day: int, hour: int = 9, year: int = 2026) -> dt.datetime:
    return local(year, month, day, hour)


class People:
    def __init__(self):
        self.workshop = WorkshopFactory(name="一車間")
        self.qc = qc_head()
        self.lead = workshop_lead(self.workshop)
        self.sales = sales()
        self.head = sales_head()


def register(when: dt.datetime, **kwargs) -> Complaint:
    with clock.frozen(when):
        return complaint(complaint_date=when.date(), actor=kwargs.pop("actor", None), **kwargs)


def acknowledge(record: Complaint, when: dt.datetime, people: People) -> Complaint:
    with clock.frozen(when):
        return complaint_acknowledge(complaint=record, actor=people.head)


def investigate(record: Complaint, when: dt.datetime, people: People, *, cause: str, at_fault: bool) -> Complaint:
    with clock.frozen(when):
        return complaint_investigate(
            complaint=record,
            cause_category=cause,
            why_chain=["螺紋不良", "模具磨損"],
            root_cause="模具未按時保養",
            containment="庫存全檢",
            company_at_fault=at_fault,
            actor=people.qc,
        )


def issue(record: Complaint, when: dt.datetime, people: People, **kwargs):
    with clock.frozen(when):
        return capa_issue(
            source=record,
            department=people.workshop,
            problem="螺紋不良",
            effectiveness_criterion="三個月內無同類投訴",
            actor=people.qc,
            **kwargs,
        )


def implement_and_verify(capa, when: dt.datetime, people: People):
    with clock.frozen(when):
        capa_implement(
            capa=capa, corrective_action="修模", preventive_action="定期保養", implementation="已完成", actor=people.lead
        )
        return capa_verify_execution(capa=capa, actor=people.qc)


def finish(record: Complaint, when: dt.datetime, people: People) -> Complaint:
    with clock.frozen(when):
        complaint_record_result(complaint=record, result="已更換", actor=people.qc)
        return complaint_feed_back(complaint=record, channel="phone", summary="已電話告知", actor=people.qc)


@pytest.fixture
def data():
    people = People()
    # A: at fault (machine), CAPA closed effective, closed in time.
    a = register(at(7, 1))
    acknowledge(a, at(7, 1, 21), people)
    investigate(a, at(7, 2), people, cause=CauseCategory.MACHINE, at_fault=True)
    capa_a = issue(a, at(7, 2), people)
    implement_and_verify(capa_a, at(7, 5), people)
    with clock.frozen(at(7, 10)):
        capa_verify_effectiveness(
            capa=capa_a, effectiveness=Effectiveness.EFFECTIVE, actor=people.qc, early_reason="客戶確認已改善"
        )
    finish(a, at(7, 12), people)
    # B: not at fault (material), acknowledged and closed late.
    b = register(at(8, 3))
    acknowledge(b, at(8, 5), people)
    investigate(b, at(8, 6), people, cause=CauseCategory.MATERIAL, at_fault=False)
    finish(b, at(8, 25), people)
    # C: a return of 100, 70 good and 30 scrapped; at fault (material); CAPA sent back, now overdue.
    with clock.frozen(at(8, 30)):
        customer, product, order = shipped(quantity=100)
    c = register(
        at(9, 1), customer=customer, order=order, kind=ComplaintKind.RETURN,
        return_lines=[{"product": product, "quantity": 100}],
    )
    acknowledge(c, at(9, 1, 10), people)
    with clock.frozen(at(9, 3)):
        return_inspect(
            return_line=c.return_lines.get(), arrived=100, good=70, nonconforming=30, nonconformity="牙距超差",
            actor=people.qc,
        )
        nonconformance_dispose(
            record=NonconformanceRecord.objects.get(), disposition=Disposition.SCRAP, note="報廢", actor=people.qc
        )
    investigate(c, at(9, 4), people, cause=CauseCategory.MATERIAL, at_fault=True)
    capa_c = issue(c, at(9, 4), people, due_date=dt.date(2026, 9, 30))
    implement_and_verify(capa_c, at(9, 20), people)
    with clock.frozen(at(10, 1)):
        capa_verify_effectiveness(
            capa=capa_c, effectiveness=Effectiveness.PARTLY, new_due_date=dt.date(2026, 10, 15), actor=people.qc,
            early_reason="客戶再次投訴",
        )
    # D: registered a week ago and never acknowledged.
    d = register(at(11, 20))
    # E: voided (there is no void service yet: the state is set as voiding would).
    e = register(at(10, 1))
    Complaint.objects.filter(pk=e.pk).update(status=ComplaintStatus.VOID, voided_at=at(10, 2))
    # F: before the period; its CAPA is still open and overdue.
    f = register(at(5, 15))
    acknowledge(f, at(5, 15, 12), people)
    investigate(f, at(5, 16), people, cause=CauseCategory.MAN, at_fault=True)
    issue(f, at(5, 16), people, due_date=dt.date(2026, 6, 15))
    return {"a": a, "b": b, "c": c, "d": d, "e": e, "f": f}


def report():
    with clock.frozen(TODAY):
        return complaint_handling_report(start=START, end=END)


def test_r_3_3_counts_leave_out_void_and_other_periods(data):
    result = report()

    assert (result.registered, result.complaints, result.returns) == (4, 3, 1)
    assert (result.closed, result.open, result.voided) == (2, 2, 1)
    assert (result.at_fault, result.not_at_fault, result.not_investigated) == (2, 1, 1)
    assert [line.number for line in result.lines] == [data[k].number for k in "abcd"]
    assert result.number == "CHR-260601-261130"


def test_r_3_3_causes_in_pareto_order_split_by_fault(data):
    result = report()

    assert [(c.category, c.at_fault, c.not_at_fault, c.total) for c in result.causes] == [
        (CauseCategory.MATERIAL, 1, 1, 2),
        (CauseCategory.MACHINE, 1, 0, 1),
    ]
    assert [round(c.cumulative_share, 3) for c in result.causes] == [0.667, 1.0]
    assert result.causes[0].label == "Material"


def test_r_3_3_times_to_acknowledge_and_close_and_those_over_the_limits(data):
    result = report()

    # Acknowledged after 0.5, 2 and 1/24 days; D is still waiting past its 24 hours, B was late.
    assert (result.acknowledge.measured, result.acknowledge.mean_days) == (3, 0.8)
    assert (result.acknowledge.median_days, result.acknowledge.max_days) == (0.5, 2.0)
    assert result.acknowledge.over_limit == 2
    # Closed 11 and 22 days after the complaint; B closed after 15 days, C is open past its 15 days.
    assert (result.close.measured, result.close.mean_days, result.close.median_days, result.close.max_days) == (
        2, 16.5, 16.5, 22.0,
    )
    assert result.close.over_limit == 2
    assert (result.acknowledge_limit_hours, result.resolve_limit_days) == (24, 15)
    lines = {line.number: line for line in result.lines}
    a, b, c, d = (lines[data[k].number] for k in "abcd")
    assert [line.days_open for line in (a, b, c, d)] == [11, 22, 87, 7]
    assert [(line.acknowledged_late, line.resolved_late) for line in (a, b, c, d)] == [
        (False, False), (True, True), (False, True), (True, False),
    ]


def test_r_3_3_returned_goods_and_dispositions(data):
    goods = report().goods

    assert (goods.returned, goods.arrived, goods.good, goods.nonconforming) == (100, 100, 70, 30)
    assert goods.lines_not_inspected == 0
    assert [(d.disposition, d.records, d.quantity) for d in goods.dispositions] == [(Disposition.SCRAP, 1, 30)]


def test_r_3_3_capa_issued_in_the_period_and_still_open(data):
    capa = report().capa

    assert (capa.issued, capa.open, capa.overdue, capa.closed_effective, capa.sent_back) == (2, 1, 1, 1, 1)
    # F's request from May is open and overdue too.
    assert (capa.open_all, capa.overdue_all) == (2, 2)


def test_r_3_3_a_complaint_outside_the_period_is_left_out(data):
    with clock.frozen(TODAY):
        may = complaint_handling_report(start=dt.date(2026, 5, 1), end=dt.date(2026, 5, 31))

    assert [line.number for line in may.lines] == [data["f"].number]
    assert (may.registered, may.at_fault, may.capa.issued) == (1, 1, 1)
    assert [c.category for c in may.causes] == [CauseCategory.MAN]


def test_r_3_3_an_empty_period_has_zeros_not_errors():
    with clock.frozen(TODAY):
        empty = complaint_handling_report(start=START, end=END)

    assert (empty.registered, empty.causes, empty.lines) == (0, (), ())
    assert empty.acknowledge.mean_days is None and empty.close.max_days is None
    assert empty.goods.returned == Decimal(0) and empty.goods.dispositions == ()


def _more(count: int) -> None:
    people = People()
    for index in range(count):
        record = register(at(7, 1 + index))
        acknowledge(record, at(7, 1 + index, 12), people)
        investigate(record, at(7, 2 + index), people, cause=CauseCategory.METHOD, at_fault=True)
        issue(record, at(7, 2 + index), people)


@pytest.mark.parametrize("extra", [0, 4])
def test_r_3_3_the_report_costs_six_queries_whatever_the_data(data, extra, django_assert_num_queries):
    _more(extra)

    with clock.frozen(TODAY), django_assert_num_queries(6):
        result = complaint_handling_report(start=START, end=END)
        [(line.cause_label, line.status_label, line.kind_label) for line in result.lines]

    assert result.registered == 4 + extra


def test_r_3_3_period_parsed_from_text_and_refused_when_malformed_or_reversed():
    assert report_period(start="2026-01-01", end="2026-06-30") == (dt.date(2026, 1, 1), dt.date(2026, 6, 30))
    assert report_period(start=None, end="", today=TODAY) == (dt.date(2026, 5, 28), TODAY)
    with pytest.raises(LiaisonError) as malformed:
        report_period(start="2026-13-01", end=None)
    assert (malformed.value.code, malformed.value.field) == (ReportErrorCode.DATE_INVALID, "start")
    assert "2026-13-01" in str(malformed.value)
    with pytest.raises(LiaisonError) as reversed_period:
        report_period(start="2026-07-01", end="2026-06-30")
    assert (reversed_period.value.code, reversed_period.value.field) == (ReportErrorCode.PERIOD_REVERSED, "end")


def test_r_3_3_quick_periods_are_the_half_years():
    assert default_period(dt.date(2026, 8, 31)) == (dt.date(2026, 3, 1), dt.date(2026, 8, 31))
    assert half_years(TODAY) == {
        "this_half": (dt.date(2026, 7, 1), dt.date(2026, 12, 31)),
        "last_half": (dt.date(2026, 1, 1), dt.date(2026, 6, 30)),
    }
    assert half_years(dt.date(2026, 3, 1))["last_half"] == (dt.date(2025, 7, 1), dt.date(2025, 12, 31))


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (Role.QC_INSPECTOR, True),
        (Role.QC_HEAD, True),
        (Role.SALES_HEAD, True),
        (Role.MANAGEMENT, True),
        (Role.ADMINISTRATOR, True),
        (Role.SALES_STAFF, False),
        (Role.SALES_ADMIN, False),
        (Role.WORKSHOP_LEAD, False),
        (Role.RESPONSIBLE_MEMBER, False),
        (Role.WAREHOUSE_CLERK, False),
    ],
)
def test_r_3_3_qc_heads_and_management_read_the_report(role, allowed):
    assert UserFactory(roles=[role]).has_perm("quality.view_complaint_report") is allowed


# --- the page and the API ----------------------------------------------------------------------


def _page(client, query: str = ""):
    with clock.frozen(TODAY):
        return client.get(reverse("quality:report") + query)


@pytest.mark.parametrize("role", [Role.QC_INSPECTOR, Role.SALES_HEAD, Role.MANAGEMENT])
def test_r_3_3_report_page_shows_the_figures_and_links_the_pdf(client_as, data, role):
    client = client_as(role)

    response = _page(client, "?start=2026-06-01&end=2026-11-30")

    assert response.status_code == 200
    page = response.content.decode()
    result = response.context["report"]
    assert (result.registered, result.voided) == (4, 1)
    for key in "abcd":
        assert data[key].number in page
    assert data["e"].number not in page and data["f"].number not in page
    assert reverse("documents:complaint-report") + "?start=2026-06-01&amp;end=2026-11-30" in page
    assert "cause-chart" in page and "Material" in page


def test_r_3_3_report_page_defaults_to_the_last_six_months_and_offers_the_half_years(client_as):
    client = client_as(Role.QC_HEAD)

    response = _page(client)

    assert (response.context["report"].start, response.context["report"].end) == (dt.date(2026, 5, 28), TODAY)
    page = response.content.decode()
    assert "?start=2026-07-01&amp;end=2026-12-31" in page  # this half-year
    assert "?start=2026-01-01&amp;end=2026-06-30" in page  # the last one


@pytest.mark.parametrize("query", ["?start=2026-02-30", "?start=2026-07-01&end=2026-06-30"])
def test_r_3_3_report_page_refuses_a_bad_period_and_says_why(client_as, query):
    client = client_as(Role.QC_HEAD)

    response = _page(client, query)

    assert response.status_code == 400
    assert "report" not in response.context
    assert 'id="report-error"' in response.content.decode()


@pytest.mark.parametrize("role", [Role.SALES_STAFF, Role.SALES_ADMIN, Role.WORKSHOP_LEAD, Role.RESPONSIBLE_MEMBER])
def test_r_3_3_report_page_and_api_are_refused_to_other_roles(client_as, role):
    client = client_as(role)

    assert _page(client).status_code == 403
    assert client.get(reverse("complaint-report")).status_code == 403


def test_r_3_3_report_page_costs_the_same_queries_whatever_the_data(client_as, data):
    client = client_as(Role.QC_HEAD)
    _page(client, "?start=2026-06-01&end=2026-11-30")  # warm the session and content types

    with CaptureQueriesContext(connection) as small:
        _page(client, "?start=2026-06-01&end=2026-11-30")
    _more(4)
    with CaptureQueriesContext(connection) as large:
        response = _page(client, "?start=2026-06-01&end=2026-11-30")

    assert response.context["report"].registered == 8
    assert len(large.captured_queries) == len(small.captured_queries)


def test_r_3_3_report_api_answers_the_figures(client_as, data):
    client = client_as(Role.MANAGEMENT)

    with clock.frozen(TODAY):
        response = client.get(reverse("complaint-report"), {"start": "2026-06-01", "end": "2026-11-30"})

    assert response.status_code == 200
    body = response.json()
    assert (body["number"], body["registered"], body["voided"], body["returns"]) == ("CHR-260601-261130", 4, 1, 1)
    assert [(c["cause_category"], c["at_fault"], c["not_at_fault"]) for c in body["causes"]] == [
        ("material", 1, 1), ("machine", 1, 0),
    ]
    assert body["acknowledge"] == {
        "measured": 3, "mean_days": 0.8, "median_days": 0.5, "max_days": 2.0, "over_limit": 2,
    }
    assert body["goods"]["good"] == "70.000" and body["goods"]["dispositions"][0]["disposition"] == "scrap"
    assert body["capa"]["overdue_all"] == 2
    assert [line["number"] for line in body["lines"]] == [data[k].number for k in "abcd"]


def test_r_3_3_report_api_refuses_a_malformed_date_naming_the_field(client_as):
    client = client_as(Role.QC_INSPECTOR)

    response = client.get(reverse("complaint-report"), {"start": "2026-06-01", "end": "30/11/2026"})

    assert response.status_code == 400
    assert response.json()["code"] == ReportErrorCode.DATE_INVALID
    assert "30/11/2026" in response.json()["fields"]["end"][0]
