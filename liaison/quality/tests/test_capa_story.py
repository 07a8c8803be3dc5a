"""Acceptance story 4, its CAPA half, through the CAPA services (R-5.5.1.2, R-3.3, R-3.4, R-4).

A complaint: QC finds the company at fault and issues a CAPA request to the workshop;
the workshop implements; QC verifies execution, then effectiveness, and the request
closes. A second round shows a partly effective verdict sending it back.
"""

import datetime as dt

import pytest

from liaison.core import clock
from liaison.core.tests.factories import WorkshopFactory, qc_head, workshop_lead
from liaison.customers.models import TimelineEntry
from liaison.customers.states import TimelineEvent
from liaison.quality.capa.selectors import capa_for_source, capa_get, capa_overdue
from liaison.quality.capa.services import (
    capa_implement,
    capa_issue,
    capa_review,
    capa_verify_effectiveness,
    capa_verify_execution,
)
from liaison.quality.states import CapaSource, CapaStatus, CapaStepMeaning, Effectiveness
from liaison.quality.tests.factories import investigated

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    workshop = WorkshopFactory(name="一車間（沖壓）")
    return workshop, qc_head(username="qc-zhou"), workshop_lead(workshop, username="ws-chen")


def test_story_4_r_5_5_1_2_capa_issued_implemented_verified_effective_closed(people):
    workshop, inspector, lead = people
    with clock.frozen(dt.date(2026, 4, 1)):
        rusty = investigated(at_fault=True)
        issued = capa_issue(
            source=rusty,
            department=workshop,
            problem="M6×20 螺絲表面銹斑：電鍍後未充分烘乾",
            effectiveness_criterion="連續三個月同類投訴為零",
            actor=inspector,
        )
    assert (issued.source_kind, issued.customer, issued.status) == (
        CapaSource.COMPLAINT,
        rusty.customer,
        CapaStatus.ISSUED,
    )

    with clock.frozen(dt.date(2026, 4, 2)):
        capa_review(capa=issued, actor=lead, note="已安排")
    with clock.frozen(dt.date(2026, 4, 20)):
        capa_implement(
            capa=issued,
            corrective_action="在庫品全部返工烘乾",
            preventive_action="烘乾時間由20分鐘改為40分鐘，寫入作業指導書",
            implementation="4月18日完成返工，4月20日作業指導書B版發行",
            actor=lead,
        )
    with clock.frozen(dt.date(2026, 4, 22)):
        capa_verify_execution(capa=issued, actor=inspector, note="抽查20批，烘乾記錄齊全")
    with clock.frozen(dt.date(2026, 7, 1)):
        closed = capa_verify_effectiveness(
            capa=issued,
            effectiveness=Effectiveness.EFFECTIVE,
            actor=inspector,
            note="三個月無同類投訴",
        )

    closed = capa_get(pk=closed.pk, today=dt.date(2026, 7, 1))
    assert closed.status == CapaStatus.CLOSED
    assert closed.effectiveness == Effectiveness.EFFECTIVE
    assert not closed.is_overdue
    assert [(step.meaning, step.signed_by.username) for step in closed.steps.all()] == [
        (CapaStepMeaning.ISSUED, "qc-zhou"),
        (CapaStepMeaning.REVIEWED, "ws-chen"),
        (CapaStepMeaning.IMPLEMENTED, "ws-chen"),
        (CapaStepMeaning.EXECUTION_VERIFIED, "qc-zhou"),
        (CapaStepMeaning.EFFECTIVENESS_VERIFIED, "qc-zhou"),
    ]
    assert list(capa_for_source(source=rusty)) == [closed]
    timeline = TimelineEntry.objects.filter(
        customer=rusty.customer, event__startswith="capa_"
    ).order_by("occurred_at", "pk")
    assert [(entry.event, entry.about) for entry in timeline] == [
        (TimelineEvent.CAPA_ISSUED, closed),
        (TimelineEvent.CAPA_CLOSED, closed),
    ]


def test_story_4_r_5_5_1_2_partly_effective_goes_back_and_is_implemented_again(people):
    workshop, inspector, lead = people
    with clock.frozen(dt.date(2026, 4, 1)):
        issued = capa_issue(
            source=investigated(at_fault=True),
            department=workshop,
            problem="沖壓件毛刺超標",
            effectiveness_criterion="毛刺高度≤0.05mm，連續三批合格",
            due_date=dt.date(2026, 4, 30),
            actor=inspector,
        )
    with clock.frozen(dt.date(2026, 4, 20)):
        capa_implement(
            capa=issued,
            corrective_action="修模",
            preventive_action="加首件檢",
            implementation="已修模",
            actor=lead,
        )
        capa_verify_execution(capa=issued, actor=inspector)
    with clock.frozen(dt.date(2026, 6, 1)):
        returned = capa_verify_effectiveness(
            capa=issued,
            effectiveness=Effectiveness.PARTLY,
            actor=inspector,
            note="第三批仍有毛刺",
            early_reason="客戶第三批來料已再投訴",
            new_due_date=dt.date(2026, 6, 30),
        )
    assert (returned.status, returned.due_date) == (CapaStatus.ISSUED, dt.date(2026, 6, 30))
    # Overdue is measured against the new due date.
    assert list(capa_overdue(today=dt.date(2026, 6, 15))) == []
    assert list(capa_overdue(today=dt.date(2026, 7, 1))) == [returned]

    with clock.frozen(dt.date(2026, 6, 25)):
        again = capa_implement(
            capa=returned,
            corrective_action="更換模具",
            preventive_action="模具壽命管理",
            implementation="6月24日新模具投產",
            actor=lead,
        )
        capa_verify_execution(capa=again, actor=inspector)
    with clock.frozen(dt.date(2026, 9, 1)):
        closed = capa_verify_effectiveness(
            capa=again, effectiveness=Effectiveness.EFFECTIVE, actor=inspector
        )

    closed = capa_get(pk=closed.pk)
    assert closed.status == CapaStatus.CLOSED
    assert closed.corrective_action == "更換模具"
    assert [step.meaning for step in closed.steps.all()] == [
        CapaStepMeaning.ISSUED,
        CapaStepMeaning.IMPLEMENTED,
        CapaStepMeaning.EXECUTION_VERIFIED,
        CapaStepMeaning.EFFECTIVENESS_VERIFIED,
        CapaStepMeaning.RETURNED,
        CapaStepMeaning.IMPLEMENTED,
        CapaStepMeaning.EXECUTION_VERIFIED,
        CapaStepMeaning.EFFECTIVENESS_VERIFIED,
    ]
    # The history keeps each round's verdict.
    verdicts = [row.effectiveness for row in closed.history.order_by("history_date", "history_id")]
    assert Effectiveness.PARTLY in verdicts and verdicts[-1] == Effectiveness.EFFECTIVE
