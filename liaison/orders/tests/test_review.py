"""The contract review form, F2: sign-offs, legal check, decision (R-5.1.2, R-5.2.3.1)."""

import pytest
from django.utils import translation

from liaison.core import clock
from liaison.core.errors import LiaisonError
from liaison.core.roles import Role
from liaison.core.tests.db import data_migration_run
from liaison.core.tests.factories import UserFactory, local, member, sales_admin
from liaison.customers.models import TimelineEntry
from liaison.customers.states import REVIEW_DECIDED_EVENTS, TimelineEvent
from liaison.orders.errors import OrderErrorCode
from liaison.orders.services import (
    clarification_answer,
    clarification_ask,
    review_decide,
    review_legal_check,
    review_sign_off,
)
from liaison.orders.states import OrderStatus, ReviewOutcome, ReviewRoundStatus
from liaison.orders.tests.factories import OrderFactory, review_pass, sign_all

pytestmark = pytest.mark.django_db

YES = {"capability_ok": True, "capacity_ok": True, "delivery_date_ok": True, "quality_ok": True}


@pytest.fixture
def review_round():
    return OrderFactory().review_rounds.get()


def sign_off_of(review_round, code):
    return review_round.sign_offs.get(department__code=code)


def sign(sign_off, actor, opinion="", **answers):
    return review_sign_off(sign_off=sign_off, actor=actor, opinion=opinion, **{**YES, **answers})


def assert_undecided(review_round):
    review_round.refresh_from_db()
    review_round.order.refresh_from_db()
    assert review_round.status == ReviewRoundStatus.OPEN
    assert review_round.outcome == "" and review_round.decided_at is None
    assert review_round.order.status == OrderStatus.UNDER_REVIEW
    assert not TimelineEntry.objects.filter(event__in=REVIEW_DECIDED_EVENTS).exists()


# ── sign-offs ─────────────────────────────────────────────────────────────────


@pytest.mark.parametrize("code", ["sales", "qc", "workshop-1", "warehouse"])
def test_r_5_2_3_1_each_department_signs_its_own_opinion(review_round, code):
    signer = member(code)
    with clock.frozen(local(2026, 3, 3, 10)) as now:
        sign_off = sign(
            sign_off_of(review_round, code), signer, opinion="可於四週內完成", capacity_ok=False
        )
    sign_off.refresh_from_db()
    assert (sign_off.signed_by, sign_off.signed_at) == (signer, now)
    assert (
        sign_off.capability_ok,
        sign_off.capacity_ok,
        sign_off.delivery_date_ok,
        sign_off.quality_ok,
    ) == (
        True,
        False,
        True,
        True,
    )
    assert sign_off.opinion == "可於四週內完成" and not sign_off.all_ok
    entry = TimelineEntry.objects.get(event=TimelineEvent.REVIEW_SIGNED)
    assert entry.about == sign_off and entry.actor == signer
    assert sign_off.history.first().history_change_reason == "Signed"


@pytest.mark.parametrize(
    ("code", "department", "signer"),
    [
        ("qc", "質檢部", lambda: member("warehouse")),
        ("sales", "業務部", lambda: UserFactory(roles=[Role.SALES_STAFF])),
    ],
    ids=["member-of-another-department", "user-without-a-department"],
)
def test_r_5_2_3_1_only_a_member_of_the_department_signs_its_line(review_round, code, department, signer):
    line = sign_off_of(review_round, code)
    with pytest.raises(LiaisonError) as refused:
        sign(line, signer())
    assert refused.value.code == OrderErrorCode.NOT_YOUR_DEPARTMENT
    assert department in str(refused.value)
    line.refresh_from_db()
    assert not line.is_signed and line.capability_ok is None
    assert not TimelineEntry.objects.filter(event=TimelineEvent.REVIEW_SIGNED).exists()


def test_r_4_an_administrator_may_sign_for_a_department(review_round):
    administrator = UserFactory(roles=[Role.ADMINISTRATOR])
    sign_off = sign(sign_off_of(review_round, "workshop-1"), administrator)
    assert sign_off.signed_by == administrator


def test_a_role_that_does_not_sign_reviews_is_refused_even_in_the_department(review_round):
    outsider = member("sales", role=Role.MANAGEMENT)
    with pytest.raises(LiaisonError) as refused:
        sign(sign_off_of(review_round, "sales"), outsider)
    assert refused.value.code == OrderErrorCode.NOT_ALLOWED
    assert not sign_off_of(review_round, "sales").is_signed


def test_a_no_needs_an_opinion(review_round):
    qc_line = sign_off_of(review_round, "qc")
    with pytest.raises(LiaisonError) as refused:
        sign(qc_line, member("qc"), quality_ok=False)
    assert (
        refused.value.code == OrderErrorCode.OPINION_REQUIRED and refused.value.field == "opinion"
    )
    qc_line.refresh_from_db()
    assert not qc_line.is_signed


@pytest.mark.parametrize("field", list(YES))
def test_every_point_is_answered_yes_or_no(review_round, field):
    qc_line = sign_off_of(review_round, "qc")
    with pytest.raises(LiaisonError) as refused:
        sign(qc_line, member("qc"), **{field: None})
    assert refused.value.code == OrderErrorCode.SIGN_OFF_INCOMPLETE and refused.value.field == field
    qc_line.refresh_from_db()
    assert not qc_line.is_signed


def test_a_department_may_sign_again_while_the_round_is_open(review_round):
    qc = member("qc")
    qc_line = sign(sign_off_of(review_round, "qc"), qc, quality_ok=False, opinion="需材質證明")
    sign(qc_line, qc, opinion="客戶同意提供材質證明")
    qc_line.refresh_from_db()
    assert qc_line.all_ok and qc_line.opinion == "客戶同意提供材質證明"
    assert [h.quality_ok for h in qc_line.history.order_by("history_date")][-2:] == [False, True]


def test_signing_a_decided_round_is_refused(review_round):
    review_pass(review_round)
    qc_line = sign_off_of(review_round, "qc")
    signed_at = qc_line.signed_at
    with pytest.raises(LiaisonError) as refused:
        sign(qc_line, member("qc"), quality_ok=False, opinion="改變主意")
    assert refused.value.code == OrderErrorCode.ROUND_NOT_OPEN and refused.value.conflict
    qc_line.refresh_from_db()
    assert qc_line.quality_ok is True and qc_line.signed_at == signed_at


# ── the check against laws and regulations ─────────────────────────


def test_r_5_1_2_legal_check_is_recorded_explicitly(review_round):
    clerk = member("sales")
    review_legal_check(review_round=review_round, passed=True, note="GB/T 5782-2016", actor=clerk)
    review_round.refresh_from_db()
    assert (
        review_round.legal_check_passed is True
        and review_round.legal_check_note == "GB/T 5782-2016"
    )
    record = review_round.history.first()
    assert (
        record.history_change_reason == "Laws and regulations checked"
        and record.history_user == clerk
    )


def test_r_5_1_2_a_failed_check_says_which_rule(review_round):
    with pytest.raises(LiaisonError) as refused:
        review_legal_check(review_round=review_round, passed=False, note="", actor=member("sales"))
    assert refused.value.code == OrderErrorCode.LEGAL_NOTE_REQUIRED
    review_round.refresh_from_db()
    assert review_round.legal_check_passed is None


def test_r_5_1_2_the_check_is_yes_or_no(review_round):
    with pytest.raises(LiaisonError) as refused:
        review_legal_check(review_round=review_round, passed=None, note="", actor=member("sales"))
    assert refused.value.code == OrderErrorCode.LEGAL_CHECK_INCOMPLETE


def test_legal_check_on_a_decided_round_is_refused(review_round):
    review_pass(review_round)
    with pytest.raises(LiaisonError) as refused:
        review_legal_check(
            review_round=review_round, passed=False, note="RoHS", actor=member("sales")
        )
    assert refused.value.code == OrderErrorCode.ROUND_NOT_OPEN
    review_round.refresh_from_db()
    assert review_round.legal_check_passed is True


def test_legal_check_is_sales_work(review_round):
    with pytest.raises(LiaisonError) as refused:
        review_legal_check(review_round=review_round, passed=True, note="", actor=member("qc"))
    assert refused.value.code == OrderErrorCode.NOT_ALLOWED
    review_round.refresh_from_db()
    assert review_round.legal_check_passed is None


# ── the decision ──────────────────────────────────────────────────────────────


def ready(review_round, **answers):
    """Every department signs and the legal check passes: the round may be decided."""
    sign_all(review_round, **answers)
    review_legal_check(
        review_round=review_round, passed=True, note="GB/T 5782", actor=member("sales")
    )


def test_r_5_2_3_1_accepted_records_who_and_when_after_every_signature(review_round):
    with clock.frozen(local(2026, 3, 3, 10)):
        ready(review_round)
    head = member("sales", Role.SALES_HEAD)
    with clock.frozen(local(2026, 3, 3, 15)) as now:
        review_decide(
            review_round=review_round, outcome=ReviewOutcome.ACCEPTED, conditions="", actor=head
        )
    review_round.refresh_from_db()
    assert (
        review_round.status == ReviewRoundStatus.DECIDED
        and review_round.outcome == ReviewOutcome.ACCEPTED
    )
    assert (review_round.decided_by, review_round.decided_at) == (head, now)
    assert all(s.signed_at <= review_round.decided_at for s in review_round.sign_offs.all())
    assert review_round.order.status == OrderStatus.ACCEPTED
    entry = TimelineEntry.objects.get(event=TimelineEvent.REVIEW_ACCEPTED)
    assert entry.about == review_round and entry.actor == head


def test_r_5_2_3_1_accepted_with_conditions_keeps_them(review_round):
    ready(review_round, quality_ok=False, opinion="需另購 SUS304 材料")
    review_decide(
        review_round=review_round,
        outcome=ReviewOutcome.ACCEPTED_WITH_CONDITIONS,
        conditions=" 材料到貨後兩週交貨 ",
        answers={s.pk: "向寶鋼訂購 SUS304" for s in review_round.sign_offs.all()},
        actor=sales_admin(),
    )
    review_round.refresh_from_db()
    assert review_round.outcome == ReviewOutcome.ACCEPTED_WITH_CONDITIONS
    assert review_round.conditions == "材料到貨後兩週交貨"
    assert review_round.order.status == OrderStatus.ACCEPTED
    assert (
        "材料到貨後兩週交貨"
        in TimelineEntry.objects.get(event=TimelineEvent.REVIEW_ACCEPTED_WITH_CONDITIONS).summary
    )


def test_r_5_2_3_1_rejected_with_its_reason(review_round):
    review_decide(
        review_round=review_round,
        outcome=ReviewOutcome.REJECTED,
        conditions="交期無法配合",
        actor=sales_admin(),
    )
    review_round.refresh_from_db()
    assert (
        review_round.outcome == ReviewOutcome.REJECTED and review_round.conditions == "交期無法配合"
    )
    assert review_round.order.status == OrderStatus.REJECTED


@pytest.mark.parametrize(
    ("outcome", "event", "zh_hant"),
    [
        (ReviewOutcome.ACCEPTED, TimelineEvent.REVIEW_ACCEPTED, "合同評審已接受"),
        (
            ReviewOutcome.ACCEPTED_WITH_CONDITIONS,
            TimelineEvent.REVIEW_ACCEPTED_WITH_CONDITIONS,
            "合同評審有條件接受",
        ),
        (ReviewOutcome.REJECTED, TimelineEvent.REVIEW_REJECTED, "合同評審已拒絕"),
    ],
)
def test_r_5_4_the_decision_on_the_timeline_reads_in_the_readers_language(
    review_round, outcome, event, zh_hant
):
    ready(review_round)
    with translation.override("en"):  # decided by someone working in English
        review_decide(
            review_round=review_round, outcome=outcome, conditions="兩週內交貨", actor=sales_admin()
        )
    entry = TimelineEntry.objects.get(event__in=REVIEW_DECIDED_EVENTS)
    assert entry.event == event
    assert entry.summary == f"{review_round} — 兩週內交貨"  # the outcome is the event, not stored text
    with translation.override("zh-hant"):  # read by someone working in Chinese
        assert entry.get_event_display() == zh_hant


def test_r_5_4_decisions_written_with_their_label_as_text_are_relabelled(review_round):
    ready(review_round)
    review_decide(
        review_round=review_round,
        outcome=ReviewOutcome.ACCEPTED_WITH_CONDITIONS,
        conditions="分批",
        actor=sales_admin(),
    )
    entry = TimelineEntry.objects.get(event__in=REVIEW_DECIDED_EVENTS)
    TimelineEntry.objects.filter(pk=entry.pk).update(  # as releases before the per-outcome events wrote it
        event="review_decided", summary=f"{review_round}: Accepted with conditions — 分批"
    )
    data_migration_run("orders", "0009_timeline_review_outcome")
    entry.refresh_from_db()
    assert entry.event == TimelineEvent.REVIEW_ACCEPTED_WITH_CONDITIONS
    assert entry.summary == f"{review_round} — 分批"


def test_r_5_1_2_rejected_because_the_product_fails_the_legal_check(review_round):
    clerk = sales_admin()
    review_legal_check(review_round=review_round, passed=False, note="不符 RoHS", actor=clerk)
    review_decide(
        review_round=review_round,
        outcome=ReviewOutcome.REJECTED,
        conditions="不符 RoHS",
        actor=clerk,
    )
    review_round.refresh_from_db()
    assert (
        review_round.status == ReviewRoundStatus.DECIDED
        and review_round.legal_check_passed is False
    )


def test_rejection_needs_a_reason(review_round):
    with pytest.raises(LiaisonError) as refused:
        review_decide(
            review_round=review_round,
            outcome=ReviewOutcome.REJECTED,
            conditions=" ",
            actor=sales_admin(),
        )
    assert refused.value.code == OrderErrorCode.REJECTION_REASON_REQUIRED
    assert_undecided(review_round)


def test_conditions_are_required_when_accepting_with_conditions(review_round):
    ready(review_round)
    with pytest.raises(LiaisonError) as refused:
        review_decide(
            review_round=review_round,
            outcome=ReviewOutcome.ACCEPTED_WITH_CONDITIONS,
            conditions="",
            actor=sales_admin(),
        )
    assert refused.value.code == OrderErrorCode.CONDITIONS_REQUIRED
    assert_undecided(review_round)


def test_r_5_2_3_1_review_refused_until_every_department_signed(review_round):
    sign(sign_off_of(review_round, "sales"), member("sales"))
    review_legal_check(review_round=review_round, passed=True, note="", actor=member("sales"))
    with pytest.raises(LiaisonError) as refused:
        review_decide(
            review_round=review_round,
            outcome=ReviewOutcome.ACCEPTED,
            conditions="",
            actor=sales_admin(),
        )
    assert refused.value.code == OrderErrorCode.SIGN_OFFS_MISSING
    assert all(name in str(refused.value) for name in ("質檢部", "倉庫", "一車間"))
    assert "業務部" not in str(refused.value)
    assert_undecided(review_round)


def test_r_5_1_2_review_refused_without_the_legal_check(review_round):
    sign_all(review_round)
    with pytest.raises(LiaisonError) as refused:
        review_decide(
            review_round=review_round,
            outcome=ReviewOutcome.ACCEPTED,
            conditions="",
            actor=sales_admin(),
        )
    assert refused.value.code == OrderErrorCode.LEGAL_CHECK_MISSING
    assert_undecided(review_round)


def test_r_5_1_2_review_refused_when_the_legal_check_failed(review_round):
    sign_all(review_round)
    review_legal_check(
        review_round=review_round, passed=False, note="不符 RoHS", actor=member("sales")
    )
    with pytest.raises(LiaisonError) as refused:
        review_decide(
            review_round=review_round,
            outcome=ReviewOutcome.ACCEPTED_WITH_CONDITIONS,
            conditions="改用無鉛鍍層",
            actor=sales_admin(),
        )
    assert refused.value.code == OrderErrorCode.LEGAL_CHECK_FAILED and "RoHS" in str(refused.value)
    assert_undecided(review_round)


def test_r_5_2_2_2_review_refused_while_clarification_open(review_round):
    clerk = sales_admin()
    order = review_round.order
    clarification = clarification_ask(
        order=order, question="鍍鋅還是不鏽鋼？", channel="phone", actor=clerk
    )
    ready(review_round)
    with pytest.raises(LiaisonError) as refused:
        review_decide(
            review_round=review_round, outcome=ReviewOutcome.ACCEPTED, conditions="", actor=clerk
        )
    assert refused.value.code == OrderErrorCode.CLARIFICATION_OPEN
    with translation.override("en"):
        message = str(refused.value)
    assert message == f"Order {order.number} still has 1 open clarification(s): “鍍鋅還是不鏽鋼？”"
    assert_undecided(review_round)
    clarification_answer(clarification=clarification, answer="不鏽鋼", channel="fax", actor=clerk)
    review_decide(
        review_round=review_round, outcome=ReviewOutcome.ACCEPTED, conditions="", actor=clerk
    )
    review_round.refresh_from_db()
    assert review_round.status == ReviewRoundStatus.DECIDED


def test_r_5_2_2_2_an_order_may_be_rejected_with_a_clarification_open(review_round):
    clerk = sales_admin()
    clarification_ask(order=review_round.order, question="能否提前？", channel="phone", actor=clerk)
    review_decide(
        review_round=review_round,
        outcome=ReviewOutcome.REJECTED,
        conditions="客戶未回覆",
        actor=clerk,
    )
    review_round.order.refresh_from_db()
    assert review_round.order.status == OrderStatus.REJECTED


def test_r_5_2_3_1_accepted_with_conditions_refused_while_a_cannot_meet_has_no_answer(review_round):
    sign_all(review_round)
    warehouse = sign_off_of(review_round, "warehouse")
    sign(warehouse, member("warehouse"), opinion="倉位不足", capacity_ok=False)
    review_legal_check(review_round=review_round, passed=True, note="GB/T 5782", actor=member("sales"))
    clerk = sales_admin()
    qc = sign_off_of(review_round, "qc")
    for answers in (None, {}, {warehouse.pk: "  "}, {qc.pk: "不需要"}):
        with pytest.raises(LiaisonError) as refused:
            review_decide(
                review_round=review_round,
                outcome=ReviewOutcome.ACCEPTED_WITH_CONDITIONS,
                conditions="分兩批交貨",
                answers=answers,
                actor=clerk,
            )
        assert refused.value.code == OrderErrorCode.OBJECTION_UNANSWERED and refused.value.field == "answers"
        assert warehouse.department.name in str(refused.value)
        assert_undecided(review_round)
    warehouse.refresh_from_db()
    assert warehouse.objection_answer == ""
    review_decide(
        review_round=review_round,
        outcome=ReviewOutcome.ACCEPTED_WITH_CONDITIONS,
        conditions="分兩批交貨",
        answers={warehouse.pk: " 第二批租用外倉 "},
        actor=clerk,
    )
    review_round.refresh_from_db()
    assert review_round.outcome == ReviewOutcome.ACCEPTED_WITH_CONDITIONS
    warehouse.refresh_from_db()
    assert warehouse.objection_answer == "第二批租用外倉"
    assert warehouse.history.first().history_change_reason == "Cannot meet answered in the decision"
    assert warehouse.history.first().history_user == clerk
    qc.refresh_from_db()
    assert qc.objection_answer == ""


def test_r_5_2_3_1_accepted_with_conditions_needs_the_conditions_even_with_every_answer(review_round):
    ready(review_round, capacity_ok=False, opinion="產能已滿")
    with pytest.raises(LiaisonError) as refused:
        review_decide(
            review_round=review_round,
            outcome=ReviewOutcome.ACCEPTED_WITH_CONDITIONS,
            conditions=" ",
            answers={s.pk: "加班" for s in review_round.sign_offs.all()},
            actor=sales_admin(),
        )
    assert refused.value.code == OrderErrorCode.CONDITIONS_REQUIRED
    assert_undecided(review_round)


def test_r_5_2_2_2_an_open_clarification_blocks_acceptance_with_conditions_too(review_round):
    clerk = sales_admin()
    clarification_ask(order=review_round.order, question="包裝要求？", channel="phone", actor=clerk)
    ready(review_round)
    with pytest.raises(LiaisonError) as refused:
        review_decide(
            review_round=review_round,
            outcome=ReviewOutcome.ACCEPTED_WITH_CONDITIONS,
            conditions="包裝待客戶確認",
            actor=clerk,
        )
    assert refused.value.code == OrderErrorCode.CLARIFICATION_OPEN
    assert_undecided(review_round)


def test_plain_acceptance_refused_when_a_department_said_no(review_round):
    ready(review_round, capacity_ok=False, opinion="產能已滿")
    with pytest.raises(LiaisonError) as refused:
        review_decide(
            review_round=review_round,
            outcome=ReviewOutcome.ACCEPTED,
            conditions="",
            actor=sales_admin(),
        )
    assert refused.value.code == OrderErrorCode.SIGN_OFF_OBJECTION
    assert_undecided(review_round)


def test_unknown_outcome_is_refused(review_round):
    ready(review_round)
    with pytest.raises(LiaisonError) as refused:
        review_decide(
            review_round=review_round, outcome="maybe", conditions="", actor=sales_admin()
        )
    assert refused.value.code == OrderErrorCode.UNKNOWN_OUTCOME
    assert_undecided(review_round)


def test_deciding_twice_is_refused(review_round):
    review_pass(review_round)
    with pytest.raises(LiaisonError) as refused:
        review_decide(
            review_round=review_round,
            outcome=ReviewOutcome.REJECTED,
            conditions="再議",
            actor=sales_admin(),
        )
    assert refused.value.code == OrderErrorCode.ROUND_NOT_OPEN
    review_round.refresh_from_db()
    assert review_round.outcome == ReviewOutcome.ACCEPTED
    assert review_round.order.status == OrderStatus.ACCEPTED


@pytest.mark.parametrize("role", [Role.SALES_ADMIN, Role.SALES_HEAD, Role.ADMINISTRATOR])
def test_r_3_1_the_sales_administrator_or_head_decides(review_round, role):
    ready(review_round)
    review_decide(
        review_round=review_round,
        outcome=ReviewOutcome.ACCEPTED,
        conditions="",
        actor=UserFactory(roles=[role]),
    )
    review_round.refresh_from_db()
    assert review_round.status == ReviewRoundStatus.DECIDED


@pytest.mark.parametrize(
    "role",
    [Role.SALES_STAFF, Role.QC_HEAD, Role.WORKSHOP_LEAD, Role.WAREHOUSE_CLERK, Role.MANAGEMENT],
)
def test_r_3_5_other_roles_cannot_decide(review_round, role):
    ready(review_round)
    with pytest.raises(LiaisonError) as refused:
        review_decide(
            review_round=review_round,
            outcome=ReviewOutcome.ACCEPTED,
            conditions="",
            actor=UserFactory(roles=[role]),
        )
    assert refused.value.code == OrderErrorCode.NOT_ALLOWED
    assert_undecided(review_round)
