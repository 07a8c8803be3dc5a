"""The management review pack (R-5.6.7, R-3.3): gathered, on screen, as JSON and as a PDF in three languages.

Its survey section is the satisfaction app's real analysis of the forms ``data.review_data``
sends and answers; the figures below are worked out by hand from ``data.SURVEY``.
"""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import translation

from liaison.core import clock
from liaison.core.roles import Role
from liaison.core.tests.factories import manager, sales
from liaison.documents.printouts import review_pack
from liaison.documents.printouts.review_pack import render_review_pack
from liaison.quality.report.selectors import ComplaintLine
from liaison.reviews import pack as pack_module
from liaison.reviews.pack import section_titles
from liaison.reviews.tests.data import CUSTOMER_NAME, review_data
from liaison.reviews.tests.factories import planned
from liaison.satisfaction import services as survey_services
from liaison.satisfaction.tests.factories import scores as survey_scores

pytestmark = pytest.mark.django_db

LANGUAGES = ["zh-hant", "zh-hans", "en"]


def flat(text: str) -> str:
    """The text without any white space: the PDF's lines and columns break words anywhere."""
    return re.sub(r"\s+", "", str(text))


def test_r_5_6_7_pack_gathers_every_section_for_the_period(django_assert_max_num_queries):
    data = review_data(hold=True)
    with django_assert_max_num_queries(25), translation.override("zh-hant"):  # 7 of them the survey analysis
        pack = pack_module.pack_build(meeting_pk=data.meeting.pk)

    assert (pack.start.isoformat(), pack.end.isoformat()) == ("2026-06-16", "2026-11-27")
    assert pack.previous == data.previous
    assert [f.label for f in pack.satisfaction.criteria][:2] == ["產品質量", "交貨期"]
    assert pack.complaints.registered == 3 and pack.complaints.at_fault == 2  # QC's report
    assert pack.capa.counts["overdue"] == 1 and [c.number for c in pack.capa.overdue] == ["CAPA-2026-0001"]
    assert [a.description for a in pack.previous_actions] == ["提高一車間準時交貨率至95%", "客訴處理時間縮短至10天"]
    assert pack.delivery.total.completed == 4 and pack.delivery.total.late == 2
    assert [a.description for a in pack.actions] == ["二車間增加一條裝配線"]


def test_r_5_6_7_pack_survey_section_is_the_real_analysis_of_the_round():
    """R-5.6.4 figures of ``data.SURVEY``, by hand: 4 sent, 3 answered; 15 answers."""
    data = review_data(hold=True)
    survey = pack_module.pack_build(meeting_pk=data.meeting.pk).satisfaction

    assert survey.analysis_available and survey.survey_round.number == "SR-2026-0002"
    assert (survey.sent, survey.returned, survey.void, survey.response_rate) == (4, 3, 0, 75.0)
    # Means per criterion: quality (2+5+4)/3, delivery (3+5+4)/3, price, service (3+4+4)/3, communication (3+5+4)/3.
    assert [f.value for f in survey.criteria] == [3.67, 4.0, 3.67, 3.67, 4.0]
    # Weighted index: 11/3 × (0.30 + 0.15 + 0.15) + 4 × (0.25 + 0.15) = 3.8; CSAT: 10 of 15 answers are 4 or 5.
    assert survey.index == 3.8 and survey.csat == 66.7
    assert [(f.label, f.value) for f in survey.distribution] == [("1", 0), ("2", 1), ("3", 4), ("4", 7), ("5", 3)]
    # The trend: the previous review's round (one form, all 4s), then this one.
    assert [(f.label, f.value) for f in survey.trend] == [("SR-2026-0001", 4.0), ("SR-2026-0002", 3.8)]
    # Per customer, by name, the dissatisfied one (a 2, under the threshold of 3) marked.
    assert [(f.label, f.value) for f in survey.customers] == [
        (f"{CUSTOMER_NAME} !", 2.7), ("深圳市华南精密电子有限公司", 4.7), ("蘇州恒達機械有限公司", 4.0),
    ]
    assert survey.customers_total == 3 and survey.raw["dissatisfied_count"] == 1
    assert [(capa.source_kind, capa.customer.registered_name) for capa in survey.capas] == [("survey", CUSTOMER_NAME)]


def test_r_5_6_7_pack_survey_section_follows_a_late_return():
    """The pack reads the analysis as it stands: the fourth form returned after its last valid day is void."""
    data = review_data(hold=True)
    survey_round = data.meeting.survey_round
    late = survey_round.forms.get(returned_on__isnull=True)
    with clock.frozen(dt.date(2026, 11, 28)):
        survey_services.form_enter(form=late, scores=survey_scores(1, 1, 1, 1, 1), actor=sales(),
                                   returned_on=dt.date(2026, 11, 28))
        survey = pack_module.pack_build(meeting_pk=data.meeting.pk).satisfaction
    assert (survey.sent, survey.returned, survey.void, survey.response_rate) == (4, 3, 1, 75.0)
    assert survey.index == 3.8 and ("1", 0) in [(f.label, f.value) for f in survey.distribution]


def test_r_5_6_7_pack_costs_the_same_queries_whatever_the_data(django_assert_num_queries):
    data = review_data(hold=True)
    pack_module.pack_build(meeting_pk=data.meeting.pk)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as first:
        pack_module.pack_build(meeting_pk=data.meeting.pk)
    review_data()  # as much again: another review with its own records
    with django_assert_num_queries(len(first.captured_queries)):
        pack_module.pack_build(meeting_pk=data.meeting.pk)


@pytest.mark.parametrize("language", LANGUAGES)
def test_r_5_6_7_pack_pdf_has_chinese_and_every_section_heading(pdf_text, language):
    data = review_data(hold=True)
    content = render_review_pack(pack_module.pack_build(meeting_pk=data.meeting.pk), language=language)

    assert content.startswith(b"%PDF-")
    assert b"/FontFile2" in content and b"/Helvetica" not in content
    text = flat(pdf_text(content))
    assert data.meeting.number in text
    assert "二車間增加一條裝配線" in text and "提高一車間準時交貨率至95%" in text  # Chinese, extractable
    assert "一車間（沖壓）" in text and CUSTOMER_NAME in text
    with translation.override(language):
        for heading in section_titles():
            assert flat(heading) in text, heading
        assert flat(translation.gettext("Management review report")) in text
    assert re.search(r"1/\d", text)


def test_r_3_3_pack_pdf_embeds_qcs_complaint_report_and_draws_the_charts(pdf_text):
    data = review_data(hold=True)
    content = render_review_pack(pack_module.pack_build(meeting_pk=data.meeting.pk), language="en")
    text = flat(pdf_text(content))

    assert "Causes(6M)" in text and "CMP-2026-0001" in text  # QC's report, its Pareto table and lines
    # The charts' own labels: criteria bars, trend points, workshop bars, legend entries.
    assert "Productquality" in text and "SR-2026-0001" in text and "3.8" in text
    assert "Ontime" in text and "Satisfactionindexbyround" in text


def test_r_5_6_7_pack_without_analysis_or_survey_round_still_prints(pdf_text):
    meeting = planned(meeting_date=dt.date(2026, 12, 15))  # no survey round planned from it: no analysis
    pack = pack_module.pack_build(meeting_pk=meeting.pk)
    text = flat(pdf_text(render_review_pack(pack, language="en")))
    assert pack.satisfaction.survey_round is None and not pack.satisfaction.analysis_available
    assert "Nosurveyroundwasplannedforthismeeting." in text


def test_r_5_6_7_pack_page_renders_all_sections_with_charts(client):
    data = review_data(hold=True)
    client.force_login(data.meeting.chair)
    response = client.get(reverse("management:pack", args=[data.meeting.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    for section_id in ["satisfaction", "complaints", "capa", "previous-actions", "delivery", "meeting"]:
        assert f'id="pack-{section_id}"' in html
    assert html.count('class="chart"') >= 4
    assert "一車間（沖壓）" in html and "提高一車間準時交貨率至95%" in html
    assert reverse("documents:review-pack", args=[data.meeting.pk]) in html


def test_r_5_6_7_pack_pdf_view_by_language(client, pdf_text):
    data = review_data(hold=True)
    client.force_login(data.meeting.chair)
    response = client.get(reverse("documents:review-pack", args=[data.meeting.pk]) + "?lang=zh-hant")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    with translation.override("zh-hant"):
        assert flat(translation.gettext("5. Delivery performance")) in flat(pdf_text(response.content))


def test_pack_refused_to_a_role_that_cannot_read_its_sources(client_as):
    data = review_data()
    client = client_as(Role.WORKSHOP_LEAD)
    assert client.get(reverse("management:meeting", args=[data.meeting.pk])).status_code == 200
    assert client.get(reverse("management:pack", args=[data.meeting.pk])).status_code == 403
    assert client.get(reverse("documents:review-pack", args=[data.meeting.pk])).status_code == 403
    assert client.get(f"/api/v1/review-meetings/{data.meeting.pk}/pack/").status_code == 403


def test_r_5_6_7_pack_as_json(client):
    data = review_data(hold=True)
    client.force_login(manager())
    body = client.get(f"/api/v1/review-meetings/{data.meeting.pk}/pack/").json()

    assert body["meeting"]["number"] == data.meeting.number
    assert body["period_start"] == "2026-06-16" and body["previous_meeting"] == data.previous.number
    assert body["satisfaction"]["response_rate"] == 75.0 and body["satisfaction"]["index"] == 3.8
    assert body["satisfaction"]["analysis"]["round_number"] == "SR-2026-0002"
    assert body["satisfaction"]["analysis"]["sent"] == 4 and body["satisfaction"]["csat"] == 66.7
    assert body["satisfaction"]["capa_requests"][0]["customer"] == "天成汽配"
    assert body["complaint_report"]["registered"] == 3
    assert body["capa"]["counts"]["overdue"] == 1
    assert {row["workshop"]: row["late"] for row in body["delivery"]["rows"]} == {"一車間（沖壓）": 2, "二車間（裝配）": 0}
    assert [a["status"] for a in body["previous_actions"]] == ["open", "done"]


def test_r_5_6_7_pack_pdf_summarises_long_lists_and_counts_the_rest(pdf_text, monkeypatch):
    """A pack lists at most LIST_LIMIT rows a list (thousands of complaints at 1 M orders) and counts the rest."""
    data = review_data(hold=True)
    pack = pack_module.pack_build(meeting_pk=data.meeting.pk)
    assert len(pack.complaints.lines) == 3 and len(pack.previous_actions) == 2 and len(pack.satisfaction.customers) == 3
    monkeypatch.setattr(review_pack, "LIST_LIMIT", 1)
    text = flat(pdf_text(render_review_pack(pack, language="en")))

    # QC's list of the period: one of the three, the one closed late (or open) first, and the count of all.
    shown, more = review_pack.complaint_lines_shown(pack.complaints.lines)
    assert len(shown) == 1 and more == 2
    # All three are open past their resolve-by date: the longest open (registered 2026-09-10) is the one listed.
    assert [(line.resolved_late, line.is_open) for line in pack.complaints.lines] == [(True, True)] * 3
    assert shown[0].number == "CMP-2026-0001"
    assert len(re.findall(r"CMP-2026-\d{4}", text)) == 1 and shown[0].number in text
    assert "1ofthe3complaintsandreturnsoftheperiodarelisted" in text
    # Earlier reviews' actions and the customers' indexes: the first one, and how many more.
    assert "提高一車間準時交貨率至95%" in text and "客訴處理時間縮短至10天" not in text
    assert "…and1more(themanagementreviewpageliststhemall)." in text
    assert "杭州天成汽車零部件有限公司" in text and "深圳市华南精密电子有限公司" not in text
    assert "…and2more(thesurveyround'sanalysisliststhemall)." in text


def test_r_5_6_7_pack_lists_complaints_closed_late_then_open_then_longest_open():
    import datetime as dt

    def line(number, status, days, late):
        return ComplaintLine(pk=number, number=f"CMP-2026-{number:04d}", kind="complaint", customer="",
                             complaint_date=dt.date(2026, 7, 1), cause_category="", company_at_fault=None,
                             status=status, days_open=days, acknowledged_late=False, resolved_late=late)

    # Sixty quiet lines first (closed in time, 1 day), the ones that matter at the end of the report's order.
    quiet = [line(n, "closed", 1, False) for n in range(1, 61)]
    lines = quiet + [line(61, "closed", 3, False), line(62, "closed", 40, True), line(63, "registered", 9, False),
                     line(64, "closed", 20, False), line(65, "registered", 2, False)]
    shown, more = review_pack.complaint_lines_shown(lines)
    assert more == len(lines) - review_pack.LIST_LIMIT and len(shown) == review_pack.LIST_LIMIT
    numbers = [item.pk for item in shown]
    assert numbers == sorted(numbers)  # printed in the report's own order
    assert {61, 62, 63, 64, 65} <= set(numbers)  # closed late, open, then the longest open
    assert numbers[: review_pack.LIST_LIMIT - 5] == list(range(1, review_pack.LIST_LIMIT - 4))
    assert review_pack.complaint_lines_shown(quiet[:5]) == (tuple(quiet[:5]), 0)
