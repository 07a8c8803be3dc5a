"""A valid body for every page step of the permission matrix, and what puts the world in the state it needs.

A page refuses an invalid form for every role alike, so a matrix posting empty bodies cannot
tell a permission check from a form check: a role the step is not for would pass unnoticed
if the check went missing. Each entry here makes the step succeed for a role it is for: it
may first take the earlier steps through the services (inside the test's savepoint), then
answers the URL arguments (``None``: the matrix's own), the POST body and, for a step that
waits for a date, the day to post on (the clock is frozen there).
``test_permission_matrix.py`` checks that a role the step is for gets through and writes, and
that every other role, with this same body, is refused and writes nothing.
"""

import datetime as dt
from decimal import Decimal

from liaison.communications.models import ReceivedDocument
from liaison.communications.services import received_document_catalogue
from liaison.communications.states import ReceivedChannel, ReceivedDocumentStatus
from liaison.core import clock
from liaison.core.roles import Role
from liaison.orders import services as orders
from liaison.orders.states import ChangeKind, ChangeReasonCategory, ReviewOutcome
from liaison.production.services import notice_start
from liaison.quality.capa import services as capa_services
from liaison.quality.services import complaints, returns
from liaison.quality.states import ComplaintChannel, ComplaintKind
from liaison.reviews.services import action_add, meeting_hold, meeting_plan
from liaison.satisfaction import services as surveys
from liaison.satisfaction.models import QuestionnaireTemplate
from liaison.satisfaction.tests.factories import customer_with_contact
from liaison.security.tests.world import _pdf
from liaison.stock.models import QualifiedStock
from liaison.stock.services import stock_move_record
from liaison.stock.states import MoveDirection, MoveReason


def _day(days: int) -> str:
    return (clock.today() + dt.timedelta(days=days)).isoformat()


def _prefixed(prefix: str, **values) -> dict:
    return {f"{prefix}-{key}": value for key, value in values.items()}


def _actor(world, role):
    """Who takes the earlier steps: the administrator (may do every step the role table gives).

    Not the steps the procedure gives to a head (core/procedure.py): the Sales head confirms
    complaints, the QC head investigates, verifies CAPA requests and feeds back.
    """
    return world.users[Role.ADMINISTRATOR]


# --- production -----------------------------------------------------------------------------


def _start(world, role):
    return None, {"start-note": "開始生產"}


def _complete(world, role):
    notice_start(notice=world.notice, note="開始生產", actor=_actor(world, role))
    return None, {}


# --- orders ---------------------------------------------------------------------------------


def _a_fax(world) -> ReceivedDocument:
    """A fax of the customer catalogued under Received documents: a faxed order links it (R-5.2.2.3)."""
    fax = ReceivedDocument.objects.filter(
        customer=world.customer, channel=ReceivedChannel.FAX, status=ReceivedDocumentStatus.CATALOGUED
    ).first()
    return fax or received_document_catalogue(
        customer=world.customer, channel=ReceivedChannel.FAX, summary="訂單傳真", upload=_pdf("order fax"),
        actor=world.users[Role.ADMINISTRATOR],
    )


def _register(world, role):
    data = {
        "customer": world.customer.pk,
        "channel": "fax",
        "customer_po": "PO-MATRIX",
        "received_document": _a_fax(world).pk,
        "received_at": clock.now().strftime("%Y-%m-%dT%H:%M"),
        "delivery_terms": "工廠交貨",
        "packaging": "紙箱",
        "post_delivery": "",
        "notes": "",
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "1",
        "lines-MAX_NUM_FORMS": "1000",
        "lines-0-product": world.product.pk,
        "lines-0-quantity": "100",
        "lines-0-specification": "",
        "lines-0-required_date": _day(30),
    }
    return None, data


def _ask(world, role):
    return None, {"ask-question": "包裝要求？", "ask-channel": "phone"}


def _answer(world, role):
    clarification = world.order_under_review.clarifications.filter(answered_at=None).first()
    prefix = f"answer-{clarification.pk}"
    return None, _prefixed(prefix, clarification=clarification.pk, answer="紙箱", channel="phone", answered_at="")


def _sign(world, role):
    """Each department signs its own line; the administrator signs the first."""
    lines = world.review_round.sign_offs.filter(signed_at=None).order_by("pk")
    user = world.users.get(role)
    own = lines.filter(department=getattr(user, "department", None)).first() or lines.first()
    yes = {"capability_ok": "yes", "capacity_ok": "yes", "delivery_date_ok": "yes", "quality_ok": "yes"}
    return None, _prefixed(f"sign-{own.pk}", sign_off=own.pk, opinion="", **yes)


def _legal(world, role):
    return None, {"legal-passed": "yes", "legal-note": "GB/T 5782"}


def _decidable(world):
    actor = world.users[Role.ADMINISTRATOR]
    review_round = world.review_round
    for clarification in world.order_under_review.clarifications.filter(answered_at=None):
        orders.clarification_answer(clarification=clarification, answer="已確認", channel="phone", actor=actor)
    for line in review_round.sign_offs.filter(signed_at=None):
        orders.review_sign_off(
            sign_off=line, opinion="", actor=actor,
            capability_ok=True, capacity_ok=True, delivery_date_ok=True, quality_ok=True,
        )
    orders.review_legal_check(review_round=review_round, passed=True, note="GB/T 5782", actor=actor)


def _decide(world, role):
    _decidable(world)
    return None, {"decide-outcome": ReviewOutcome.ACCEPTED, "decide-conditions": ""}


def _ship(world, role):
    line = world.order.lines.order_by("pk").first()
    if QualifiedStock.objects.get(product=line.product).quantity < 1:
        stock_move_record(
            product=line.product, direction=MoveDirection.IN, quantity=Decimal(10), reason=MoveReason.OPENING,
            actor=_actor(world, role),
        )
    return None, {f"ship-line_{line.pk}": "1", "ship-note": ""}


def _notice(world, role):
    order = _with_room_for_a_notice(world)
    line = order.lines.order_by("pk").first()
    data = {
        f"notice-line_{line.pk}": "1",
        "notice-workshop": world.workshop.pk,
        "notice-due_date": _day(20),
        "notice-instructions": "",
    }
    return {"pk": order.pk}, data


def _with_room_for_a_notice(world):
    """An accepted order of the customer with nothing on a notice yet."""
    actor = world.users[Role.ADMINISTRATOR]
    order = orders.order_register(
        customer=world.customer, channel="phone", received_at=clock.now(),
        lines=[{"product": world.product, "quantity": Decimal(100), "required_date": clock.today() + dt.timedelta(30)}],
        actor=actor,
    )
    review_round = order.review_rounds.get()
    for line in review_round.sign_offs.all():
        orders.review_sign_off(
            sign_off=line, opinion="", actor=actor,
            capability_ok=True, capacity_ok=True, delivery_date_ok=True, quality_ok=True,
        )
    orders.review_legal_check(review_round=review_round, passed=True, note="GB/T 5782", actor=actor)
    orders.review_decide(review_round=review_round, outcome=ReviewOutcome.ACCEPTED, conditions="", actor=actor)
    return order


def _reply(world, role):
    return None, {"reply-promised_date": _day(40), "reply-channel": "phone", "reply-summary": ""}


def _change(world, role):
    data = _prefixed(
        "change", kind=ChangeKind.COMPANY, reason_category=ChangeReasonCategory.MATERIAL, reason="線材缺貨",
        change_details="", new_due_date=_day(60),
    )
    return None, data


def _registered_delay(world):
    return orders.change_register(
        order=world.order, kind=ChangeKind.COMPANY, reason_category=ChangeReasonCategory.MATERIAL,
        reason="線材缺貨", new_due_date=clock.today() + dt.timedelta(60), actor=world.users[Role.ADMINISTRATOR],
    )


def _agree(world, role):
    change = _registered_delay(world)
    data = _prefixed(
        f"agree-{change.pk}", change=change.pk, agreed_by="何志強", agreed_at=clock.now().strftime("%Y-%m-%dT%H:%M"),
        via="phone",
    )
    return None, data


def _withdraw(world, role):
    change = _registered_delay(world)
    return None, _prefixed(f"withdraw-{change.pk}", change=change.pk, reason="客戶不接受", refused_via="", refused_at="")


def _order_void(world, role):
    return None, {"void-reason": "同一傳真登記了兩次"}


def _apply(world, role):
    change = _registered_delay(world)
    orders.change_record_agreement(
        change=change, agreed_by="何志強", agreed_at=clock.now(), via="phone", actor=world.users[Role.ADMINISTRATOR]
    )
    return None, _prefixed(f"apply-{change.pk}", change=change.pk, due_date=_day(60))


# --- complaints, returns, CAPA --------------------------------------------------------------


def _complaint_register(world, role):
    data = {
        "customer": world.customer.pk,
        "kind": ComplaintKind.COMPLAINT,
        "channel": ComplaintChannel.PHONE,
        "complaint_date": clock.today().isoformat(),
        "content": "螺紋不良",
        "order": "",
        "product": "",
        "lot": "",
        "requested_remedy": "",
        "lines-TOTAL_FORMS": "0",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
    }
    return None, data


# The world's complaint is confirmed and investigated already (its CAPA request follows the finding):
# each step below gets a complaint of its own, in the state the step needs, taken by the roles the
# procedure names (the Sales head confirms, the QC head investigates).


def _registered(world):
    """A complaint of the customer's order, prepared by Sales staff: not confirmed yet."""
    return complaints.complaint_register(
        customer=world.customer, channel=ComplaintChannel.PHONE, complaint_date=clock.today(), content="螺紋不良",
        order=world.order, actor=world.users[Role.SALES_STAFF],
    )


def _acknowledged(world, record=None):
    """Confirmed by the Sales head and so passed to QC (R-5.5.1.1)."""
    return complaints.complaint_acknowledge(
        complaint=record or _registered(world), actor=world.users[Role.SALES_HEAD]
    )


def _investigated(world, *, at_fault: bool):
    """The QC head's finding (R-5.5.1.2): the company at fault or not."""
    return complaints.complaint_investigate(
        complaint=_acknowledged(world), cause_category="method", why_chain=["螺紋規格用錯"], root_cause="圖紙未更新",
        containment="庫存全檢", company_at_fault=at_fault, actor=world.users[Role.QC_HEAD],
    )


def _acknowledge(world, role):
    return {"pk": _registered(world).pk}, {}


def _investigate(world, role):
    record = _acknowledged(world)
    data = _prefixed(
        "investigate", cause_category="method", why_1="螺紋規格用錯", why_2="", root_cause="圖紙未更新",
        containment="庫存全檢", company_at_fault="yes",
    )
    return {"pk": record.pk}, data


def _issue_capa(world, role):
    record = _investigated(world, at_fault=True)
    data = _prefixed(
        "capa", department=world.engineering.pk, problem="螺紋規格用錯", due_date=_day(30),
        effectiveness_criterion="三個月內無同類投訴", effectiveness_check_date=_day(90),
    )
    return {"pk": record.pk}, data


def _inspect(world, role):
    record = _a_return(world)
    line = record.return_lines.get()
    data = _prefixed(
        f"inspect-{line.pk}", line=line.pk, arrived="5", good="5", nonconforming="0", replacement_needed="0",
        nonconformity="",
    )
    return {"pk": record.pk, "line_pk": line.pk}, data


def _not_coming(world, role):
    """The world's return: 10 of its 20 pieces inspected, the rest still to come."""
    line = world.return_line
    return None, _prefixed(f"not-coming-{line.pk}", line=line.pk, reason="客戶留用其餘十件")


def _dispose(world, role):
    record = world.nonconformance
    return None, _prefixed(f"dispose-{record.pk}", record=record.pk, disposition="scrap", concession_authorised_by="",
                           note="報廢")


def _a_return(world):
    """A second return of the customer's order, acknowledged, not inspected yet."""
    actor = world.users[Role.ADMINISTRATOR]
    record = complaints.complaint_register(
        customer=world.customer, channel=ComplaintChannel.PHONE, complaint_date=clock.today(), content="退貨：變形",
        kind=ComplaintKind.RETURN, order=world.order,
        return_lines=[{"product": world.product, "quantity": Decimal(5)}], actor=actor,
    )
    return _acknowledged(world, record)


def _replace(world, role):
    """A return inspected with a replacement needed."""
    record = _a_return(world)
    returns.return_inspect(
        return_line=record.return_lines.get(), arrived=Decimal(5), good=Decimal(0), nonconforming=Decimal(5),
        replacement_needed=Decimal(5), nonconformity="變形", actor=world.users[Role.QC_INSPECTOR],
    )
    return {"pk": record.pk}, _prefixed("replace", workshop=world.workshop.pk, due_date=_day(20))


def _result(world, role):
    record = _investigated(world, at_fault=False)
    return {"pk": record.pk}, {"result-result": "非我司責任，已向客戶說明"}


def _feedback(world, role):
    record = _investigated(world, at_fault=False)
    complaints.complaint_record_result(complaint=record, result="非我司責任", actor=world.users[Role.QC_INSPECTOR])
    return {"pk": record.pk}, _prefixed("feedback", channel="phone", contact="何志強", summary="調查結果已說明")


def _void(world, role):
    """Voided before QC investigates: a complaint registered in error."""
    return {"pk": _registered(world).pk}, {"void-reason": "重複登記"}


def _capa_review(world, role):
    return None, {"review-note": "已收到"}


def _capa_implement(world, role):
    return None, _prefixed("implement", corrective_action="修正圖紙", preventive_action="圖紙受控", implementation="已完成")


def _implemented(world):
    return capa_services.capa_implement(
        capa=world.capa, corrective_action="修正圖紙", preventive_action="圖紙受控", implementation="已完成",
        actor=world.users[Role.RESPONSIBLE_MEMBER],
    )


def _capa_verify_execution(world, role):
    _implemented(world)
    return None, {"verify_execution-note": "現場確認"}


def _capa_send_back(world, role):
    """Instead of verifying the execution: not done, back to the department with the reason."""
    _implemented(world)
    return None, _prefixed("send_back", reason="圖紙未實際換版", new_due_date=_day(45))


def _capa_verify_effectiveness(world, role):
    """Judged today, before its check date: early, so the QC head says why (R-5.5.1.2)."""
    capa_services.capa_verify_execution(capa=_implemented(world), actor=world.users[Role.QC_HEAD])
    data = _prefixed(
        "verify_effectiveness", effectiveness="effective", note="無同類投訴", new_due_date="",
        early_reason="客戶已確認新批次螺紋合格",
    )
    return None, data


# --- satisfaction surveys -------------------------------------------------------------------


def _a_meeting(world):
    return meeting_plan(
        title="追加管理評審", meeting_date=clock.today() + dt.timedelta(days=300), chair=world.users[Role.MANAGEMENT],
        actor=world.users[Role.ADMINISTRATOR],
    )


def _round_plan(world, role):
    return None, {"plan-meeting": _a_meeting(world).pk}


def _new_customer():
    """A customer the demo does not have (the factory's names may repeat the demo's)."""
    return customer_with_contact(registered_name="矩陣測試精密五金有限公司", short_name="矩陣測試")


def _record(world, role):
    """Satisfaction heard in an interview, entered on a form F10 of the active questionnaire (R-5.6.5)."""
    template = QuestionnaireTemplate.objects.filter(active=True).order_by("pk").first()
    scores = {f"record-score_{criterion.code}": "4" for criterion in template.criteria.all()}
    data = _prefixed(
        "record", customer=world.customer.pk, source="interview", channel="in_person",
        occurred_on=clock.today().isoformat(), comments="交期準時",
    )
    return None, {**data, **scores}


def _round_send(world, role):
    return None, {"send-customers": [_new_customer().pk], "send-channel": "post"}


def _round_enter(world, role):
    open_form = world.survey_round.forms.filter(returned_on=None, voided_at=None).order_by("pk").first()
    scores = {f"enter-score_{criterion.code}": "4" for criterion in world.survey_round.template.criteria.all()}
    data = {"enter-form": open_form.pk, "enter-returned_on": clock.today().isoformat(), "enter-comments": "", **scores}
    return None, data


def _form_void(world, role):
    return None, {"void-reason": "寄錯客戶"}


def _open_form(world):
    return world.survey_round.forms.filter(returned_on=None, voided_at=None).order_by("pk").first()


def _form_chase(world, role):
    """A form sent by post today to a new customer: due to be chased in 15 days."""
    (form,) = surveys.round_send(
        survey_round=world.survey_round, customers=[_new_customer()], channel="post",
        actor=world.users[Role.ADMINISTRATOR],
    )
    return {"pk": form.pk}, {"chase-channel": "phone", "chase-note": "已電話催收"}, form.chase_due_on


def _form_complaint(world, role):
    return None, {"complaint-is_complaint": "on"}


def _form_capa(world, role):
    form = _open_form(world)
    scores = {criterion.code: 2 for criterion in form.template.criteria.all()}
    surveys.form_enter(form=form, scores=scores, returned_on=clock.today(), actor=world.users[Role.ADMINISTRATOR])
    data = _prefixed(
        "capa", department=world.workshop.pk, problem="客戶不滿意", due_date=_day(30),
        effectiveness_criterion="下一輪評分不低於4分", effectiveness_check_date=_day(120),
    )
    return {"pk": form.pk}, data


# --- management review ----------------------------------------------------------------------


def _meeting_plan(world, role):
    data = _prefixed(
        "plan", title="追加管理評審", meeting_date=_day(300), chair=world.users[Role.MANAGEMENT].pk, agenda="",
    )
    return None, data


def _meeting_update(world, role):
    meeting = world.meeting
    data = _prefixed(
        "update", title=meeting.title, meeting_date=meeting.meeting_date.isoformat(), chair=meeting.chair_id,
        agenda="顧客滿意度；投訴處理", minutes="", reason="",
    )
    return None, data


def _meeting_hold(world, role):
    return None, {"hold-minutes": "會議紀要"}, world.meeting.meeting_date


def _held(world) -> dt.date:
    """The world's meeting held on its day: actions are decided then."""
    day = world.meeting.meeting_date
    with clock.frozen(day):
        meeting_hold(meeting=world.meeting, minutes="會議紀要", actor=world.users[Role.ADMINISTRATOR])
    return day


def _meeting_cancel(world, role):
    return None, {"cancel-reason": "改期"}


def _action_add(world, role):
    day = _held(world)
    data = _prefixed("action", description="改善交期", owner=world.users[Role.SALES_HEAD].pk, due_date=_day(60))
    return None, data, day


def _an_action(world, role=Role.SALES_HEAD):
    """An action of the held meeting, owned by ``role`` if it heads a department (the owner reports it done)."""
    owner = world.users[role if role in (Role.SALES_HEAD, Role.QC_HEAD) else Role.SALES_HEAD]
    day = _held(world)
    with clock.frozen(day):
        return action_add(
            meeting=world.meeting, description="改善交期", owner=owner,
            due_date=day + dt.timedelta(60), actor=world.users[Role.ADMINISTRATOR],
        )


def _action_complete(world, role):
    action = _an_action(world, role)
    return None, _prefixed(f"complete-{action.pk}", action=action.pk, outcome="已完成")


def _action_cancel(world, role):
    action = _an_action(world)
    return None, _prefixed(f"cancel-action-{action.pk}", action=action.pk, reason="不再需要")


BODIES = {
    "account-language": lambda world, role: (None, {"language": "en"}),
    "production:start": _start,
    "production:complete": _complete,
    "orders:register": _register,
    "orders:ask": _ask,
    "orders:answer": _answer,
    "orders:sign": _sign,
    "orders:legal": _legal,
    "orders:decide": _decide,
    "orders:ship": _ship,
    "orders:notice": _notice,
    "orders:reply": _reply,
    "orders:change": _change,
    "orders:agree": _agree,
    "orders:withdraw": _withdraw,
    "orders:apply": _apply,
    "orders:void": _order_void,
    "quality:register": _complaint_register,
    "quality:acknowledge": _acknowledge,
    "quality:investigate": _investigate,
    "quality:issue-capa": _issue_capa,
    "quality:inspect": _inspect,
    "quality:not-coming": _not_coming,
    "quality:dispose": _dispose,
    "quality:replace": _replace,
    "quality:result": _result,
    "quality:feedback": _feedback,
    "quality:void": _void,
    "quality:capa-review": _capa_review,
    "quality:capa-implement": _capa_implement,
    "quality:capa-verify-execution": _capa_verify_execution,
    "quality:capa-send-back": _capa_send_back,
    "quality:capa-verify-effectiveness": _capa_verify_effectiveness,
    "satisfaction:round-plan": _round_plan,
    "satisfaction:record": _record,
    "satisfaction:round-send": _round_send,
    "satisfaction:round-enter": _round_enter,
    "satisfaction:form-void": _form_void,
    "satisfaction:form-chase": _form_chase,
    "satisfaction:form-complaint": _form_complaint,
    "satisfaction:form-capa": _form_capa,
    "management:plan": _meeting_plan,
    "management:update": _meeting_update,
    "management:hold": _meeting_hold,
    "management:cancel": _meeting_cancel,
    "management:action-add": _action_add,
    "management:action-complete": _action_complete,
    "management:action-cancel": _action_cancel,
}
# Page steps with no body that succeeds: closing a complaint is done by feeding back (the close
# step only ever refuses, "not fed back yet"), so for it only the role checks before the form count.
WITHOUT_A_VALID_BODY = {"quality:close"}
