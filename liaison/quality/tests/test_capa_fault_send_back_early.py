"""A CAPA request only on a finding of fault, QC sending an implementation back, an early check (R-5.5.1.2).

A complaint's CAPA request is issued once the QC head found the company at fault; without fault a
preventive request is a kind of its own, labelled so. QC sends an implementation it finds not done
back to the department with a reason. Judging effectiveness before the check date is early: the QC
head says why, and the request keeps that it was early.
"""

import datetime as dt

import pytest
from django.urls import reverse

from liaison.core import clock
from liaison.core.errors import LiaisonError
from liaison.core.models import DocumentCounter
from liaison.core.roles import Role
from liaison.core.tests.factories import UserFactory, WorkshopFactory, frozen_today, qc_head, qc_inspector
from liaison.customers.models import TimelineEntry
from liaison.customers.states import TimelineEvent
from liaison.quality.capa.errors import CapaErrorCode as Code
from liaison.quality.capa.services import (
    capa_implement,
    capa_review,
    capa_send_back,
    capa_verify_effectiveness,
    capa_verify_execution,
)
from liaison.quality.models import CapaRequest, CapaStep
from liaison.quality.services.complaints import complaint_record_result
from liaison.quality.states import CapaKind, CapaStatus, CapaStepMeaning, ComplaintStatus, Effectiveness
from liaison.quality.tests.factories import CAPA_ACTIONS, acknowledged, capa, complaint, investigated

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

ISSUED_ON = dt.date(2026, 4, 1)  # due 2026-05-01, effectiveness checked on 2026-06-30 (the defaults)

today = frozen_today(ISSUED_ON)


@pytest.fixture
def workshop():
    return WorkshopFactory(name="一車間（沖壓）")


@pytest.fixture
def head():
    return qc_head()


@pytest.fixture
def implemented(workshop):
    request = capa(source=investigated(at_fault=True), department=workshop)
    return capa_implement(capa=request, actor=UserFactory(roles=[Role.WORKSHOP_LEAD], department=workshop),
                          **CAPA_ACTIONS)


@pytest.fixture
def execution_verified(implemented, head):
    return capa_verify_execution(capa=implemented, actor=head)


def nothing_issued() -> bool:
    return (
        CapaRequest.objects.count(),
        CapaStep.objects.count(),
        TimelineEntry.objects.filter(event=TimelineEvent.CAPA_ISSUED).count(),
        DocumentCounter.objects.filter(doc_type="CAPA").count(),
    ) == (0, 0, 0, 0)


def snapshot(record: CapaRequest) -> tuple:
    return (
        CapaRequest.objects.filter(pk=record.pk).values().get(),
        list(CapaStep.objects.filter(capa=record).values()),
        TimelineEntry.objects.count(),
        record.history.count(),
    )


def meanings(record) -> list[str]:
    return list(CapaStep.objects.filter(capa=record).order_by("signed_at", "pk").values_list("meaning", flat=True))


# --- a CAPA request for a complaint only on a finding of fault --------------------------------


@pytest.mark.parametrize("stage", [complaint, acknowledged], ids=["registered", "acknowledged"])
@pytest.mark.parametrize("kind", CapaKind.values)
def test_r_5_5_1_2_no_capa_for_a_complaint_before_the_fault_is_decided(workshop, stage, kind):
    source = stage()

    with pytest.raises(LiaisonError) as refused:
        capa(source=source, department=workshop, kind=kind)

    assert (refused.value.code, refused.value.field) == (Code.SOURCE_NOT_INVESTIGATED, "source")
    assert str(refused.value) == (
        f"The QC head has not decided yet whether the company is at fault for {source.number}; "
        "a CAPA request is issued once the investigation is recorded."
    )
    assert nothing_issued()


def test_r_5_5_1_2_at_fault_the_request_is_corrective(workshop):
    issued = capa(source=investigated(at_fault=True), department=workshop)

    assert issued.kind == CapaKind.CORRECTIVE
    assert issued.get_kind_display() == "Corrective (company at fault)"


def test_r_5_5_1_2_without_fault_a_preventive_request_is_its_own_labelled_kind(workshop):
    source = investigated(at_fault=False)

    issued = capa(source=source, department=workshop, kind=CapaKind.PREVENTIVE)

    issued.refresh_from_db()
    assert (issued.kind, issued.get_kind_display()) == (CapaKind.PREVENTIVE, "Preventive (no fault found)")
    assert issued.history.first().history_change_reason == f"Issued (preventive) for {source.number}"
    assert TimelineEntry.objects.get(event=TimelineEvent.CAPA_ISSUED).about == issued


def test_r_5_5_1_2_without_fault_a_corrective_request_is_refused_and_points_to_preventive(workshop):
    source = investigated(at_fault=False)

    with pytest.raises(LiaisonError) as refused:
        capa(source=source, department=workshop)

    assert (refused.value.code, refused.value.field) == (Code.SOURCE_NOT_AT_FAULT, "kind")
    assert "issue a preventive one" in str(refused.value)
    assert nothing_issued()


def test_r_5_5_1_2_at_fault_a_preventive_request_is_refused(workshop):
    source = investigated(at_fault=True)

    with pytest.raises(LiaisonError) as refused:
        capa(source=source, department=workshop, kind=CapaKind.PREVENTIVE)

    assert (refused.value.code, refused.value.field) == (Code.PREVENTIVE_AT_FAULT, "kind")
    assert nothing_issued()


def test_r_5_5_1_2_an_unknown_kind_is_refused(workshop):
    with pytest.raises(LiaisonError) as refused:
        capa(department=workshop, kind="cosmetic")

    assert (refused.value.code, refused.value.field) == (Code.KIND_INVALID, "kind")
    assert nothing_issued()


def test_r_5_5_1_2_a_request_raised_by_hand_may_be_preventive(workshop):
    assert capa(department=workshop, kind=CapaKind.PREVENTIVE).kind == CapaKind.PREVENTIVE


def test_r_5_5_1_2_an_open_preventive_request_does_not_hold_up_the_result(workshop):
    source = investigated(at_fault=False)
    capa(source=source, department=workshop, kind=CapaKind.PREVENTIVE)

    record = complaint_record_result(complaint=source, result="非我司責任，已建議客戶改用扭力扳手", actor=qc_inspector())

    assert record.status == ComplaintStatus.RESULT_RECORDED


def test_r_5_5_1_2_the_complaint_page_issues_the_preventive_kind_when_not_at_fault(client_as, workshop, head):
    source = investigated(at_fault=False)
    page = client_as(head).get(source.get_absolute_url())
    assert 'id="complaint-capa"' in page.text
    assert "The company was not found at fault: this CAPA request is preventive." in page.text

    response = client_as(head).post(
        reverse("quality:issue-capa", args=[source.pk]),
        {
            "capa-department": workshop.pk,
            "capa-problem": "扭力扳手使用說明不清",
            "capa-due_date": "2026-05-01",
            "capa-effectiveness_criterion": "半年內無同類投訴",
            "capa-effectiveness_check_date": "2026-06-30",
        },
    )

    assert response.status_code == 302
    assert CapaRequest.objects.get().kind == CapaKind.PREVENTIVE


def test_r_5_5_1_2_the_api_issues_and_shows_the_kind(api_client, workshop, head):
    source = investigated(at_fault=False)
    api_client.force_authenticate(head)
    body = {"source": f"quality.complaint:{source.pk}", "department": workshop.pk, "problem": "說明書不清",
            "effectiveness_criterion": "半年內無同類投訴"}

    refused = api_client.post("/api/v1/capa-requests/", body, format="json")
    assert (refused.status_code, refused.json()["code"]) == (400, Code.SOURCE_NOT_AT_FAULT)

    answer = api_client.post("/api/v1/capa-requests/", {**body, "kind": "preventive"}, format="json")
    assert (answer.status_code, answer.json()["kind"]) == (201, "preventive")


# --- QC sends an implementation back as not done ------------------------------------------------


def test_r_5_5_1_2_qc_sends_an_implementation_back_as_not_done_with_a_reason(implemented, workshop, head):
    with clock.frozen(dt.date(2026, 4, 12)):
        returned = capa_send_back(capa=implemented, reason="  在庫品未全檢，僅抽檢 200 件  ", actor=head)

    returned.refresh_from_db()
    assert (returned.status, returned.due_date) == (CapaStatus.ISSUED, dt.date(2026, 5, 1))
    assert returned.corrective_action == CAPA_ACTIONS["corrective_action"]  # kept for the department to amend
    assert meanings(returned)[-1] == CapaStepMeaning.NOT_DONE
    step = CapaStep.objects.get(capa=returned, meaning=CapaStepMeaning.NOT_DONE)
    assert (step.note, step.signed_by, step.signed_at.date()) == ("在庫品未全檢，僅抽檢 200 件", head, dt.date(2026, 4, 12))
    record = returned.history.first()
    assert (record.history_change_reason, record.history_user) == ("Sent back, not done: 在庫品未全檢，僅抽檢 200 件", head)
    entry = TimelineEntry.objects.get(event=TimelineEvent.CAPA_NOT_DONE)
    assert (entry.customer, entry.about, entry.actor) == (returned.customer, returned, head)
    assert entry.summary == f"{returned.number} · 一車間（沖壓）: 在庫品未全檢，僅抽檢 200 件"
    # A new round: the department acknowledges it again and implements again.
    lead = UserFactory(roles=[Role.WORKSHOP_LEAD], department=workshop)
    capa_review(capa=returned, actor=lead)
    assert capa_implement(capa=returned, actor=lead, **CAPA_ACTIONS).status == CapaStatus.IMPLEMENTED


def test_r_5_5_1_2_sent_back_with_a_new_due_date_the_check_date_moves_with_it(implemented, head):
    returned = capa_send_back(capa=implemented, reason="未完成", new_due_date=dt.date(2026, 5, 20), actor=head)

    assert (returned.due_date, returned.effectiveness_check_date) == (dt.date(2026, 5, 20), dt.date(2026, 7, 19))
    assert returned.history.first().history_change_reason == "Sent back, not done: 未完成 (due 2026-05-20)"


@pytest.mark.parametrize(
    ("kwargs", "code", "field"),
    [
        ({"reason": "  "}, Code.SEND_BACK_REASON_REQUIRED, "reason"),
        ({"reason": "未完成", "new_due_date": ISSUED_ON}, Code.NEW_DUE_DATE_NOT_FUTURE, "new_due_date"),
    ],
)
def test_r_5_5_1_2_a_send_back_without_a_reason_or_with_a_past_date_is_refused(implemented, head, kwargs, code, field):
    before = snapshot(implemented)

    with pytest.raises(LiaisonError) as refused:
        capa_send_back(capa=implemented, actor=head, **kwargs)

    assert (refused.value.code, refused.value.field) == (code, field)
    assert snapshot(implemented) == before


def test_r_5_5_1_2_only_an_implemented_request_is_sent_back(execution_verified, head):
    before = snapshot(execution_verified)

    with pytest.raises(LiaisonError) as refused:
        capa_send_back(capa=execution_verified, reason="未完成", actor=head)

    assert refused.value.code == Code.NOT_IMPLEMENTED
    assert snapshot(execution_verified) == before


@pytest.mark.parametrize("role", [Role.QC_INSPECTOR, Role.WORKSHOP_LEAD, Role.SALES_HEAD])
def test_r_5_5_1_2_only_the_qc_head_sends_back(implemented, workshop, role):
    before = snapshot(implemented)

    with pytest.raises(LiaisonError) as refused:
        capa_send_back(capa=implemented, reason="未完成", actor=UserFactory(roles=[role], department=workshop))

    assert refused.value.code == Code.NOT_ALLOWED
    assert snapshot(implemented) == before


def test_r_5_5_1_2_the_capa_page_sends_back_and_the_api_too(client_as, api_client, implemented, head, workshop):
    page = client_as(head).get(implemented.get_absolute_url())
    assert 'id="capa-send-back"' in page.text

    response = client_as(head).post(reverse("quality:capa-send-back", args=[implemented.pk]), {"send_back-reason": ""})
    assert response.status_code == 200 and "Say why the actions are not done" in response.text
    response = client_as(head).post(
        reverse("quality:capa-send-back", args=[implemented.pk]), {"send_back-reason": "未全檢"}
    )
    assert response.status_code == 302
    implemented.refresh_from_db()
    assert implemented.status == CapaStatus.ISSUED

    capa_implement(capa=implemented, actor=UserFactory(roles=[Role.WORKSHOP_LEAD], department=workshop),
                   **CAPA_ACTIONS)
    api_client.force_authenticate(head)
    answer = api_client.post(f"/api/v1/capa-requests/{implemented.pk}/send-back/", {"reason": "仍未全檢"},
                             format="json")
    assert (answer.status_code, answer.json()["status"]) == (200, CapaStatus.ISSUED)
    assert answer.json()["steps"][-1]["meaning"] == CapaStepMeaning.NOT_DONE


# --- an effectiveness check before its date -----------------------------------------------------


def test_r_5_5_1_2_an_early_check_without_a_reason_is_refused_with_the_check_date(execution_verified, head):
    before = snapshot(execution_verified)

    with pytest.raises(LiaisonError) as refused:
        capa_verify_effectiveness(capa=execution_verified, effectiveness=Effectiveness.EFFECTIVE, actor=head)

    assert (refused.value.code, refused.value.field) == (Code.CHECKED_EARLY, "early_reason")
    assert str(refused.value) == (
        f"The effectiveness of {execution_verified.number} is to be checked on 2026-06-30 (today is 2026-04-01): "
        "judging it now is early. Say why it can be judged already."
    )
    assert snapshot(execution_verified) == before


def test_r_5_5_1_2_an_early_check_with_a_reason_is_recorded_as_early(execution_verified, head):
    closed = capa_verify_effectiveness(
        capa=execution_verified, effectiveness=Effectiveness.EFFECTIVE, actor=head, early_reason=" 客戶已驗收兩批 "
    )

    closed.refresh_from_db()
    assert closed.status == CapaStatus.CLOSED
    assert (closed.checked_early, closed.early_check_reason) == (True, "客戶已驗收兩批")
    assert closed.history.first().history_change_reason == (
        "Effective: closed; checked early (check date 2026-06-30): 客戶已驗收兩批"
    )


def test_r_5_5_1_2_an_early_verdict_sending_it_back_is_early_too(execution_verified, head):
    returned = capa_verify_effectiveness(
        capa=execution_verified, effectiveness=Effectiveness.NOT_EFFECTIVE, actor=head,
        new_due_date=dt.date(2026, 5, 1), early_reason="客戶再次投訴同一問題",
    )

    assert (returned.status, returned.checked_early) == (CapaStatus.ISSUED, True)


def test_r_5_5_1_2_a_check_on_its_date_needs_no_reason_and_is_not_early(execution_verified, head):
    with clock.frozen(dt.date(2026, 6, 30)):
        closed = capa_verify_effectiveness(capa=execution_verified, effectiveness=Effectiveness.EFFECTIVE, actor=head)

    closed.refresh_from_db()
    assert (closed.status, closed.checked_early, closed.early_check_reason) == (CapaStatus.CLOSED, False, "")
    assert closed.history.first().history_change_reason == "Effective: closed"


def test_r_5_5_1_2_the_page_warns_before_an_early_check_and_shows_it_after(client_as, execution_verified, head):
    url = execution_verified.get_absolute_url()
    page = client_as(head).get(url).text
    assert 'id="capa-early-warning"' in page
    assert "The effectiveness check is due on 2026-06-30" in page
    assert 'name="verify_effectiveness-early_reason"' in page

    post = reverse("quality:capa-verify-effectiveness", args=[execution_verified.pk])
    refused = client_as(head).post(post, {"verify_effectiveness-effectiveness": "effective"})
    assert refused.status_code == 200 and "judging it now is early" in refused.text
    response = client_as(head).post(
        post, {"verify_effectiveness-effectiveness": "effective", "verify_effectiveness-early_reason": "已驗收"},
        follow=True,
    )
    assert "checked early" in response.text
    assert 'id="capa-checked-early"' in response.text and "已驗收" in response.text


def test_r_5_5_1_2_on_its_date_the_page_asks_no_reason(client_as, execution_verified, head):
    with clock.frozen(dt.date(2026, 6, 30)):
        page = client_as(head).get(execution_verified.get_absolute_url()).text
    assert 'id="capa-early-warning"' not in page and "early_reason" not in page


def test_r_5_5_1_2_the_api_returns_the_early_warning(api_client, execution_verified, head):
    api_client.force_authenticate(head)
    url = f"/api/v1/capa-requests/{execution_verified.pk}/verify-effectiveness/"

    refused = api_client.post(url, {"effectiveness": "effective"}, format="json")
    assert (refused.status_code, refused.json()["code"]) == (400, Code.CHECKED_EARLY)
    assert "early_reason" in refused.json()["fields"]

    answer = api_client.post(url, {"effectiveness": "effective", "early_reason": "已驗收"}, format="json")
    data = answer.json()
    assert answer.status_code == 200
    assert (data["checked_early"], data["early_check_reason"]) == (True, "已驗收")
    assert data["warning"] == (
        f"CAPA request {execution_verified.number} was judged before its effectiveness check date (2026-06-30)."
    )


def test_r_5_5_1_2_an_on_time_api_check_has_no_warning(api_client, execution_verified, head):
    api_client.force_authenticate(head)
    with clock.frozen(dt.date(2026, 7, 1)):
        answer = api_client.post(
            f"/api/v1/capa-requests/{execution_verified.pk}/verify-effectiveness/", {"effectiveness": "effective"},
            format="json",
        )
    assert (answer.status_code, answer.json()["warning"], answer.json()["checked_early"]) == (200, None, False)

