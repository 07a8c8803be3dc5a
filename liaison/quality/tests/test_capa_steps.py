"""The department's and QC's steps on a CAPA request (R-3.4, R-5.5.1.2, R-4).

Every allowed step and every refused one; a refused step changes nothing: not the
request, not its step log, not the customer's timeline.
"""

import datetime as dt

import pytest

from liaison.core import clock
from liaison.core.errors import LiaisonError
from liaison.core.roles import Role
from liaison.core.tests.factories import (
    DepartmentFactory,
    UserFactory,
    WorkshopFactory,
    department_member,
    qc_head,
    workshop_lead,
)
from liaison.customers.models import TimelineEntry
from liaison.customers.states import TimelineEvent
from liaison.quality.capa.errors import CapaErrorCode as Code
from liaison.quality.capa.services import (
    capa_implement,
    capa_review,
    capa_verify_effectiveness,
    capa_verify_execution,
)
from liaison.quality.models import CapaRequest, CapaStep
from liaison.quality.states import CapaStatus, CapaStepMeaning, Effectiveness
from liaison.quality.tests.factories import capa, investigated

pytestmark = pytest.mark.django_db

ISSUED_ON = dt.date(2026, 4, 1)
ACTIONS = {
    "corrective_action": "更換沖壓模具刃口，全檢在庫品",
    "preventive_action": "模具每五萬次保養一次，首件檢驗加測毛刺高度",
    "implementation": "4月10日完成換模，在庫2000件全檢，作業指導書已修訂",
}


@pytest.fixture
def workshop():
    return WorkshopFactory(name="一車間（沖壓）")


@pytest.fixture
def inspector():
    return qc_head()


@pytest.fixture
def issued(workshop, inspector):
    with clock.frozen(ISSUED_ON):
        return capa(source=investigated(at_fault=True), department=workshop, actor=inspector)


@pytest.fixture
def implemented(issued, workshop):
    with clock.frozen(dt.date(2026, 4, 10)):
        return capa_implement(capa=issued, actor=workshop_lead(workshop), **ACTIONS)


@pytest.fixture
def execution_verified(implemented, inspector):
    with clock.frozen(dt.date(2026, 4, 12)):
        return capa_verify_execution(capa=implemented, actor=inspector)


def snapshot(record) -> tuple:
    """The stored request, its steps and the timeline, to compare before and after a refusal."""
    return (
        CapaRequest.objects.filter(pk=record.pk).values().get(),
        list(CapaStep.objects.filter(capa=record).values()),
        TimelineEntry.objects.count(),
        record.history.count(),
    )


def meanings(record) -> list[str]:
    return list(
        CapaStep.objects.filter(capa=record)
        .order_by("signed_at", "pk")
        .values_list("meaning", flat=True)
    )


# --- review ----------------------------------------------------------------------------


def test_r_3_4_the_department_reviews_the_request_it_was_issued(issued, workshop):
    member = department_member(workshop)

    with clock.frozen(dt.date(2026, 4, 2)):
        capa_review(capa=issued, actor=member, note="  已收到，安排換模  ")

    step = CapaStep.objects.get(capa=issued, meaning=CapaStepMeaning.REVIEWED)
    assert (step.signed_by, step.note, step.signed_at.date()) == (
        member,
        "已收到，安排換模",
        dt.date(2026, 4, 2),
    )
    issued.refresh_from_db()
    assert issued.status == CapaStatus.ISSUED


def test_r_3_4_another_department_cannot_review(issued):
    before = snapshot(issued)

    with pytest.raises(LiaisonError) as refused:
        capa_review(capa=issued, actor=workshop_lead(WorkshopFactory()))

    assert refused.value.code == Code.NOT_YOUR_DEPARTMENT
    assert snapshot(issued) == before


def test_r_3_4_a_request_is_reviewed_once_per_round(issued, workshop):
    capa_review(capa=issued, actor=department_member(workshop))
    before = snapshot(issued)

    with pytest.raises(LiaisonError) as refused:
        capa_review(capa=issued, actor=workshop_lead(workshop))

    assert refused.value.code == Code.ALREADY_REVIEWED
    assert snapshot(issued) == before


def test_r_3_4_no_review_once_implemented(implemented, workshop):
    before = snapshot(implemented)

    with pytest.raises(LiaisonError) as refused:
        capa_review(capa=implemented, actor=workshop_lead(workshop))

    assert refused.value.code == Code.NOT_ISSUED
    assert snapshot(implemented) == before


# --- implement -------------------------------------------------------------------------


def test_r_3_4_only_the_named_department_implements(issued, workshop):
    lead = workshop_lead(workshop)

    with clock.frozen(dt.date(2026, 4, 10)):
        done = capa_implement(
            capa=issued,
            actor=lead,
            corrective_action=f"  {ACTIONS['corrective_action']} ",
            preventive_action=ACTIONS["preventive_action"],
            implementation=ACTIONS["implementation"],
        )

    done.refresh_from_db()
    assert done.status == CapaStatus.IMPLEMENTED
    assert done.corrective_action == ACTIONS["corrective_action"]
    assert (done.preventive_action, done.implementation) == (
        ACTIONS["preventive_action"],
        ACTIONS["implementation"],
    )
    assert done.updated_by == lead
    record = done.history.first()
    assert (record.history_change_reason, record.history_user) == ("Implemented", lead)
    step = CapaStep.objects.get(capa=done, meaning=CapaStepMeaning.IMPLEMENTED)
    assert (step.signed_by, step.signed_at.date()) == (lead, dt.date(2026, 4, 10))


def test_r_3_4_a_responsible_department_member_implements_its_own(inspector):
    office = DepartmentFactory(name="採購部")
    issued = capa(department=office, actor=inspector)

    done = capa_implement(capa=issued, actor=department_member(office), **ACTIONS)

    assert done.status == CapaStatus.IMPLEMENTED


@pytest.mark.parametrize(
    "actor",
    [
        lambda: workshop_lead(WorkshopFactory(name="二車間（注塑）")),
        lambda: UserFactory(roles=[Role.RESPONSIBLE_MEMBER]),
    ],
    ids=["another-departments-lead", "member-of-no-department"],
)
def test_r_3_4_a_department_implementing_another_departments_capa_is_refused(issued, actor):
    before = snapshot(issued)

    with pytest.raises(LiaisonError) as refused:
        capa_implement(capa=issued, actor=actor(), **ACTIONS)

    assert refused.value.code == Code.NOT_YOUR_DEPARTMENT
    assert str(refused.value) == (
        f"CAPA request {issued.number} is issued to 一車間（沖壓）; "
        "only a member of that department can record corrective and preventive actions."
    )
    assert snapshot(issued) == before


@pytest.mark.parametrize(
    "role", [Role.QC_INSPECTOR, Role.QC_HEAD, Role.SALES_HEAD, Role.MANAGEMENT]
)
def test_r_3_4_roles_that_do_not_implement_are_refused_even_in_the_department(
    issued, workshop, role
):
    before = snapshot(issued)

    with pytest.raises(LiaisonError) as refused:
        capa_implement(capa=issued, actor=UserFactory(roles=[role], department=workshop), **ACTIONS)

    assert refused.value.code == Code.NOT_ALLOWED
    assert snapshot(issued) == before


def test_r_4_an_administrator_granted_the_right_implements_for_any_department(issued):
    admin = UserFactory(roles=[Role.ADMINISTRATOR], is_superuser=True)

    assert capa_implement(capa=issued, actor=admin, **ACTIONS).status == CapaStatus.IMPLEMENTED


@pytest.mark.parametrize("missing", ["corrective_action", "preventive_action", "implementation"])
def test_r_3_4_every_action_is_recorded(issued, workshop, missing):
    before = snapshot(issued)

    with pytest.raises(LiaisonError) as refused:
        capa_implement(capa=issued, actor=workshop_lead(workshop), **{**ACTIONS, missing: "  "})

    assert (refused.value.code, refused.value.field) == (Code.ACTIONS_REQUIRED, missing)
    assert snapshot(issued) == before


def test_r_3_4_an_implemented_request_is_not_implemented_twice(implemented, workshop):
    before = snapshot(implemented)

    with pytest.raises(LiaisonError) as refused:
        capa_implement(capa=implemented, actor=workshop_lead(workshop), **ACTIONS)

    assert refused.value.code == Code.NOT_ISSUED
    assert refused.value.conflict
    assert snapshot(implemented) == before


# --- verify execution ------------------------------------------------------------------


def test_r_5_5_1_2_qc_verifies_execution_of_an_implemented_request(implemented, inspector):
    with clock.frozen(dt.date(2026, 4, 12)):
        verified = capa_verify_execution(capa=implemented, actor=inspector, note="現場確認新模具")

    verified.refresh_from_db()
    assert verified.status == CapaStatus.EXECUTION_VERIFIED
    assert verified.history.first().history_change_reason == "Execution verified"
    step = CapaStep.objects.get(capa=verified, meaning=CapaStepMeaning.EXECUTION_VERIFIED)
    assert (step.signed_by, step.note, step.signed_at.date()) == (
        inspector,
        "現場確認新模具",
        dt.date(2026, 4, 12),
    )


def test_r_5_5_1_2_verifying_a_capa_not_implemented_is_refused(issued, inspector):
    before = snapshot(issued)

    with pytest.raises(LiaisonError) as refused:
        capa_verify_execution(capa=issued, actor=inspector)

    assert refused.value.code == Code.NOT_IMPLEMENTED
    assert str(refused.value) == (
        f"CAPA request {issued.number} is issued to the department; QC verifies its execution only "
        "after the department has implemented it."
    )
    assert snapshot(issued) == before


def test_r_5_5_1_2_execution_is_not_verified_twice(execution_verified, inspector):
    before = snapshot(execution_verified)

    with pytest.raises(LiaisonError) as refused:
        capa_verify_execution(capa=execution_verified, actor=inspector)

    assert refused.value.code == Code.NOT_IMPLEMENTED
    assert snapshot(execution_verified) == before


# --- verify effectiveness --------------------------------------------------------------


def test_r_5_5_1_2_effective_closes_the_request_on_the_customers_timeline(
    execution_verified, inspector
):
    with clock.frozen(dt.date(2026, 7, 1)):
        closed = capa_verify_effectiveness(
            capa=execution_verified,
            effectiveness=Effectiveness.EFFECTIVE,
            actor=inspector,
            note="三個月無同類投訴",
        )

    closed.refresh_from_db()
    assert closed.status == CapaStatus.CLOSED
    assert closed.effectiveness == Effectiveness.EFFECTIVE
    assert closed.closed_at.date() == dt.date(2026, 7, 1)
    assert closed.history.first().history_change_reason == "Effective: closed"
    assert meanings(closed)[-1] == CapaStepMeaning.EFFECTIVENESS_VERIFIED
    entry = TimelineEntry.objects.get(event=TimelineEvent.CAPA_CLOSED)
    assert (entry.customer, entry.about, entry.actor) == (closed.customer, closed, inspector)


@pytest.mark.parametrize("verdict", [Effectiveness.PARTLY, Effectiveness.NOT_EFFECTIVE])
def test_r_5_5_1_2_not_fully_effective_goes_back_with_a_new_due_date(
    execution_verified, inspector, verdict
):
    with clock.frozen(dt.date(2026, 7, 1)):
        returned = capa_verify_effectiveness(
            capa=execution_verified,
            effectiveness=verdict,
            actor=inspector,
            new_due_date=dt.date(2026, 7, 31),
        )

    returned.refresh_from_db()
    assert returned.status == CapaStatus.ISSUED
    assert returned.effectiveness == verdict
    assert returned.due_date == dt.date(2026, 7, 31)
    # The check keeps its distance from the due date (60 days by default).
    assert returned.effectiveness_check_date == dt.date(2026, 9, 29)
    assert returned.closed_at is None
    assert meanings(returned)[-2:] == [
        CapaStepMeaning.EFFECTIVENESS_VERIFIED,
        CapaStepMeaning.RETURNED,
    ]
    assert (
        CapaStep.objects.get(capa=returned, meaning=CapaStepMeaning.RETURNED).note == "2026-07-31"
    )
    assert not TimelineEntry.objects.filter(event=TimelineEvent.CAPA_CLOSED).exists()


def test_r_5_5_1_2_sending_back_without_a_new_due_date_is_refused(execution_verified, inspector):
    before = snapshot(execution_verified)

    with pytest.raises(LiaisonError) as refused:
        capa_verify_effectiveness(
            capa=execution_verified, effectiveness=Effectiveness.PARTLY, actor=inspector
        )

    assert (refused.value.code, refused.value.field) == (Code.NEW_DUE_DATE_REQUIRED, "new_due_date")
    assert snapshot(execution_verified) == before


@pytest.mark.parametrize("new_due", [dt.date(2026, 7, 1), dt.date(2026, 6, 30)])
def test_r_5_5_1_2_a_new_due_date_not_in_the_future_is_refused(
    execution_verified, inspector, new_due
):
    before = snapshot(execution_verified)

    with clock.frozen(dt.date(2026, 7, 1)), pytest.raises(LiaisonError) as refused:
        capa_verify_effectiveness(
            capa=execution_verified,
            effectiveness=Effectiveness.NOT_EFFECTIVE,
            actor=inspector,
            new_due_date=new_due,
        )

    assert refused.value.code == Code.NEW_DUE_DATE_NOT_FUTURE
    assert snapshot(execution_verified) == before


@pytest.mark.parametrize("stage", ["issued", "implemented"])
def test_r_5_5_1_2_effectiveness_only_after_execution_is_verified(request, inspector, stage):
    record = request.getfixturevalue(stage)
    before = snapshot(record)

    with pytest.raises(LiaisonError) as refused:
        capa_verify_effectiveness(
            capa=record, effectiveness=Effectiveness.EFFECTIVE, actor=inspector
        )

    assert refused.value.code == Code.EXECUTION_NOT_VERIFIED
    assert snapshot(record) == before


def test_r_5_5_1_2_an_unknown_verdict_is_refused(execution_verified, inspector):
    before = snapshot(execution_verified)

    with pytest.raises(LiaisonError) as refused:
        capa_verify_effectiveness(capa=execution_verified, effectiveness="maybe", actor=inspector)

    assert refused.value.code == Code.EFFECTIVENESS_INVALID
    assert snapshot(execution_verified) == before


R = Role

# The request at the stage each verification needs, and the verification.
VERIFY = {
    "execution": ("implemented", lambda record, actor: capa_verify_execution(capa=record, actor=actor)),
    "effectiveness": (
        "execution_verified",
        lambda record, actor: capa_verify_effectiveness(
            capa=record, effectiveness=Effectiveness.EFFECTIVE, actor=actor
        ),
    ),
}


@pytest.mark.parametrize(
    ("step", "role"),
    [
        *[("execution", role) for role in (R.WORKSHOP_LEAD, R.RESPONSIBLE_MEMBER, R.SALES_HEAD, R.MANAGEMENT)],
        *[("effectiveness", role) for role in (R.WORKSHOP_LEAD, R.RESPONSIBLE_MEMBER, R.SALES_STAFF, R.ADMINISTRATOR)],
    ],
    ids=lambda value: getattr(value, "value", value),
)
def test_r_3_3_a_non_qc_role_cannot_verify(request, workshop, step, role):
    stage, verify = VERIFY[step]
    record = request.getfixturevalue(stage)
    before = snapshot(record)

    with pytest.raises(LiaisonError) as refused:
        verify(record, UserFactory(roles=[role], department=workshop))

    assert refused.value.code == Code.NOT_ALLOWED
    assert str(refused.value) == "Your role does not allow you to verify CAPA requests."
    assert snapshot(record) == before


def test_r_5_5_1_2_a_closed_request_takes_no_more_steps(execution_verified, workshop, inspector):
    closed = capa_verify_effectiveness(
        capa=execution_verified, effectiveness=Effectiveness.EFFECTIVE, actor=inspector
    )
    before = snapshot(closed)
    lead = workshop_lead(workshop)

    for step in [
        lambda: capa_review(capa=closed, actor=lead),
        lambda: capa_implement(capa=closed, actor=lead, **ACTIONS),
        lambda: capa_verify_execution(capa=closed, actor=inspector),
        lambda: capa_verify_effectiveness(
            capa=closed, effectiveness=Effectiveness.EFFECTIVE, actor=inspector
        ),
    ]:
        with pytest.raises(LiaisonError) as refused:
            step()
        assert refused.value.code == Code.CLOSED
    assert snapshot(closed) == before


# --- the step log ----------------------------------------------------------------------


def test_r_4_the_steps_log_shows_each_signature_with_its_meaning(issued, workshop, inspector):
    member, lead = (
        department_member(workshop, username="lin"),
        workshop_lead(workshop, username="chen"),
    )
    head = UserFactory(roles=[Role.QC_HEAD], username="zhou")
    days = iter(dt.date(2026, 4, day) for day in range(2, 30))

    def on_next_day(step, **kwargs):
        with clock.frozen(next(days)):
            return step(capa=issued, **kwargs)

    on_next_day(capa_review, actor=member)
    on_next_day(capa_implement, actor=lead, **ACTIONS)
    on_next_day(capa_verify_execution, actor=inspector)
    on_next_day(
        capa_verify_effectiveness,
        actor=head,
        effectiveness=Effectiveness.PARTLY,
        new_due_date=dt.date(2026, 5, 15),
        early_reason="客戶再次投訴",
    )
    on_next_day(capa_implement, actor=member, **ACTIONS)
    on_next_day(capa_verify_execution, actor=head)
    on_next_day(capa_verify_effectiveness, actor=head, effectiveness=Effectiveness.EFFECTIVE, early_reason="已驗收")

    log = [
        (step.signed_at.date().day, step.meaning, step.signed_by.username)
        for step in CapaStep.objects.filter(capa=issued)
        .select_related("signed_by")
        .order_by("signed_at", "pk")
    ]
    assert log == [
        (1, CapaStepMeaning.ISSUED, inspector.username),
        (2, CapaStepMeaning.REVIEWED, "lin"),
        (3, CapaStepMeaning.IMPLEMENTED, "chen"),
        (4, CapaStepMeaning.EXECUTION_VERIFIED, inspector.username),
        (5, CapaStepMeaning.EFFECTIVENESS_VERIFIED, "zhou"),
        (5, CapaStepMeaning.RETURNED, "zhou"),
        (6, CapaStepMeaning.IMPLEMENTED, "lin"),
        (7, CapaStepMeaning.EXECUTION_VERIFIED, "zhou"),
        (8, CapaStepMeaning.EFFECTIVENESS_VERIFIED, "zhou"),
    ]


def test_r_4_earlier_signatures_are_never_rewritten(issued, workshop, inspector):
    first = list(CapaStep.objects.filter(capa=issued).values())

    capa_review(capa=issued, actor=department_member(workshop))
    capa_implement(capa=issued, actor=workshop_lead(workshop), **ACTIONS)

    assert list(CapaStep.objects.filter(capa=issued).order_by("pk").values())[: len(first)] == first
