"""The management review pack (R-5.6.7, R-3.3): gathered, on screen, as JSON and as a PDF in three languages."""

import re
import shutil
import subprocess

import pytest
from django.urls import reverse
from django.utils import translation

from liaison.core.roles import Role
from liaison.core.tests.factories import UserFactory
from liaison.documents.review_pack import render_review_pack, section_titles
from liaison.management import pack as pack_module
from liaison.management.tests import fake_analysis
from liaison.management.tests.data import CUSTOMER_NAME, review_data
from liaison.management.tests.factories import manager

pytestmark = pytest.mark.django_db

LANGUAGES = ["zh-hant", "zh-hans", "en"]


@pytest.fixture
def analysed(monkeypatch):
    """The survey analysis with known figures (the scoring is the satisfaction app's, tested there)."""
    monkeypatch.setattr(pack_module, "_round_analysis_function", lambda: fake_analysis.round_analysis)


@pytest.fixture
def pdf_text(tmp_path):
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (Debian poppler-utils) is not installed; `make sysdeps` installs it")

    def extract(content: bytes) -> str:
        path = tmp_path / "pack.pdf"
        path.write_bytes(content)
        text = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True)
        return re.sub(r"\s+", "", text.stdout)

    return extract


def flat(text: str) -> str:
    return re.sub(r"\s+", "", str(text))


def test_r_5_6_7_pack_gathers_every_section_for_the_period(analysed, django_assert_max_num_queries):
    data = review_data(hold=True)
    with django_assert_max_num_queries(20):
        pack = pack_module.pack_build(meeting_pk=data.meeting.pk)

    assert (pack.start.isoformat(), pack.end.isoformat()) == ("2026-06-16", "2026-11-27")
    assert pack.previous == data.previous
    assert pack.satisfaction.survey_round.number == "SR-2026-0001"
    assert pack.satisfaction.response_rate == 75.0 and pack.satisfaction.index == 4.12
    assert [f.label for f in pack.satisfaction.criteria][:2] == ["產品質量", "交貨期"]
    assert pack.complaints.registered == 3 and pack.complaints.at_fault == 2  # QC's report
    assert pack.capa.counts["overdue"] == 1 and [c.number for c in pack.capa.overdue] == ["CAPA-2026-0001"]
    assert [a.description for a in pack.previous_actions] == ["提高一車間準時交貨率至95%", "客訴處理時間縮短至10天"]
    assert pack.delivery.total.completed == 4 and pack.delivery.total.late == 2
    assert [a.description for a in pack.actions] == ["二車間增加一條裝配線"]


def test_r_5_6_7_pack_costs_the_same_queries_whatever_the_data(analysed, django_assert_num_queries):
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
def test_r_5_6_7_pack_pdf_has_chinese_and_every_section_heading(analysed, pdf_text, language):
    data = review_data(hold=True)
    content = render_review_pack(pack_module.pack_build(meeting_pk=data.meeting.pk), language=language)

    assert content.startswith(b"%PDF-")
    assert b"/FontFile2" in content and b"/Helvetica" not in content
    text = pdf_text(content)
    assert data.meeting.number in text
    assert "二車間增加一條裝配線" in text and "提高一車間準時交貨率至95%" in text  # Chinese, extractable
    assert "一車間（沖壓）" in text and CUSTOMER_NAME in text
    with translation.override(language):
        for heading in section_titles():
            assert flat(heading) in text, heading
        assert flat(translation.gettext("Management review report")) in text
    assert re.search(r"1/\d", text)


def test_r_3_3_pack_pdf_embeds_qcs_complaint_report_and_draws_the_charts(analysed, pdf_text):
    data = review_data(hold=True)
    content = render_review_pack(pack_module.pack_build(meeting_pk=data.meeting.pk), language="en")
    text = pdf_text(content)

    assert "Causes(6M)" in text and "CMP-2026-0001" in text  # QC's report, its Pareto table and lines
    # The charts' own labels: criteria bars, trend points, workshop bars, legend entries.
    assert "產品質量" in text and "SR-2025-0002" in text and "4.12" in text
    assert "Ontime" in text and "Satisfactionindexbyround" in text


def test_r_5_6_7_pack_without_analysis_or_survey_round_still_prints(pdf_text):
    data = review_data()
    pack = pack_module.pack_build(meeting_pk=data.meeting.pk)
    text = pdf_text(render_review_pack(pack, language="en"))
    assert "Theanalysisofthissurveyroundisnotavailableyet." in text or pack.satisfaction.analysis_available


def test_r_5_6_7_pack_page_renders_all_sections_with_charts(client, analysed):
    data = review_data(hold=True)
    client.force_login(data.meeting.chair)
    response = client.get(reverse("management:pack", args=[data.meeting.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    for section_id in ["satisfaction", "complaints", "capa", "previous-actions", "delivery", "meeting"]:
        assert f'id="pack-{section_id}"' in html
    assert html.count('class="chart"') >= 4
    assert "一車間（沖壓）" in html and "提高一車間準時交貨率至95%" in html
    assert reverse("management:pack-pdf", args=[data.meeting.pk]) in html


def test_r_5_6_7_pack_pdf_view_by_language(client, analysed, pdf_text):
    data = review_data(hold=True)
    client.force_login(data.meeting.chair)
    response = client.get(reverse("management:pack-pdf", args=[data.meeting.pk]) + "?lang=zh-hant")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    with translation.override("zh-hant"):
        assert flat(translation.gettext("5. Delivery performance")) in pdf_text(response.content)


def test_pack_refused_to_a_role_that_cannot_read_its_sources(client):
    data = review_data()
    client.force_login(UserFactory(roles=[Role.WORKSHOP_LEAD]))
    assert client.get(reverse("management:meeting", args=[data.meeting.pk])).status_code == 200
    assert client.get(reverse("management:pack", args=[data.meeting.pk])).status_code == 403
    assert client.get(reverse("management:pack-pdf", args=[data.meeting.pk])).status_code == 403
    assert client.get(f"/api/v1/review-meetings/{data.meeting.pk}/pack/").status_code == 403


def test_r_5_6_7_pack_as_json(client, analysed):
    data = review_data(hold=True)
    client.force_login(manager())
    body = client.get(f"/api/v1/review-meetings/{data.meeting.pk}/pack/").json()

    assert body["meeting"]["number"] == data.meeting.number
    assert body["period_start"] == "2026-06-16" and body["previous_meeting"] == data.previous.number
    assert body["satisfaction"]["response_rate"] == 75.0 and body["satisfaction"]["analysis"]["round_number"]
    assert body["complaint_report"]["registered"] == 3
    assert body["capa"]["counts"]["overdue"] == 1
    assert {row["workshop"]: row["late"] for row in body["delivery"]["rows"]} == {"一車間（沖壓）": 2, "二車間（裝配）": 0}
    assert [a["status"] for a in body["previous_actions"]] == ["open", "done"]
