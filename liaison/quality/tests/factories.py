"""Complaints and returns (F6), the goods behind them and CAPA requests (F7), made through the services."""

from decimal import Decimal

from liaison.core import clock
from liaison.core.tests.factories import WorkshopFactory, member, qc_head, qc_inspector, sales, sales_admin, sales_head
from liaison.customers.tests.factories import CustomerFactory
from liaison.orders.tests.factories import accepted_order, order_line
from liaison.quality.capa.services import capa_implement, capa_issue, capa_verify_effectiveness, capa_verify_execution
from liaison.quality.models import CapaRequest, Complaint
from liaison.quality.services.complaints import (
    complaint_acknowledge,
    complaint_feed_back,
    complaint_investigate,
    complaint_record_result,
    complaint_register,
    complaint_void,
)
from liaison.quality.states import ComplaintChannel, ComplaintKind, Effectiveness
from liaison.stock.services import slip_issue, stock_move_record
from liaison.stock.states import MoveDirection, MoveReason
from liaison.stock.tests.factories import ProductFactory

# What a department records when it carries out a CAPA request.
CAPA_ACTIONS = {
    "corrective_action": "更換沖壓模具刃口，全檢在庫品",
    "preventive_action": "模具每五萬次保養一次，首件檢驗加測毛刺高度",
    "implementation": "完成換模，在庫品全檢，作業指導書已修訂",
}


def shipped(*, customer=None, product=None, quantity=100, actor=None):
    """Ship ``quantity`` of ``product`` to ``customer`` on a regular slip for an accepted order.

    The product gets exactly that much opening stock first, so the shipment leaves stock as it was.
    Returns ``(customer, product, order)``.
    """
    customer = customer or CustomerFactory()
    product = product or ProductFactory()
    stock_move_record(
        product=product,
        direction=MoveDirection.IN,
        quantity=Decimal(quantity),
        reason=MoveReason.OPENING,
        actor=None,
        document_ref="OPENING",
    )
    order = accepted_order(customer=customer, lines=[order_line(product=product, quantity=Decimal(quantity))])
    slip_issue(
        customer=customer,
        order=order,
        lines=[{"product": product, "order_line": order.lines.get(), "quantity": Decimal(quantity)}],
        actor=actor or sales_admin(),
    )
    return customer, product, order


def complaint(*, customer=None, actor=None, kind=ComplaintKind.COMPLAINT, **kwargs) -> Complaint:
    """A complaint registered by Sales today.

    A return (``kind=ComplaintKind.RETURN``) sends back ``return_lines``; without them, 10 of 100
    pieces shipped to the customer first.
    """
    customer = customer or CustomerFactory()
    if kind == ComplaintKind.RETURN and "return_lines" not in kwargs:
        _customer, product, _order = shipped(customer=customer)
        kwargs["return_lines"] = [{"product": product, "quantity": 10}]
    values = {
        "channel": ComplaintChannel.PHONE,
        "complaint_date": clock.today(),
        "content": "螺紋不良，無法裝配",
    }
    values.update(kwargs)
    return complaint_register(customer=customer, actor=actor or sales(), kind=kind, **values)


def acknowledged(**kwargs) -> Complaint:
    """A complaint prepared by Sales staff, confirmed by the Sales head and so passed to QC (R-5.5.1.1)."""
    return complaint_acknowledge(complaint=complaint(**kwargs), actor=sales_head())


def investigated(*, at_fault=False, **kwargs) -> Complaint:
    """A complaint acknowledged and investigated by the QC head: the company at fault or not."""
    return found(acknowledged(**kwargs), at_fault=at_fault)


def found(record: Complaint, *, at_fault=True) -> Complaint:
    """The QC head's investigation of an acknowledged complaint (or return): at fault unless said otherwise."""
    return complaint_investigate(
        complaint=record,
        cause_category="method",
        why_chain=["螺紋規格用錯", "圖紙版本未更新"],
        root_cause="圖紙版本管理不到位",
        containment="庫存全檢",
        company_at_fault=at_fault,
        actor=qc_head(),
    )


def closed(**kwargs) -> Complaint:
    """A complaint investigated (the company not at fault), its result recorded and fed back by the QC head: closed."""
    record = complaint_record_result(complaint=investigated(**kwargs), result="非我司責任", actor=qc_inspector())
    return complaint_feed_back(complaint=record, channel="phone", summary="已電話說明調查結果", actor=qc_head())


def voided(**kwargs) -> Complaint:
    """A complaint the Sales head voided as registered twice."""
    return complaint_void(complaint=complaint(**kwargs), reason="重複登記", actor=sales_head())


def capa(*, source=None, department=None, actor=None, closed=False, **kwargs) -> CapaRequest:
    """A CAPA request issued by QC (by hand unless ``source`` is given); ``closed``: carried out and effective."""
    kwargs.setdefault("problem", "沖壓件毛刺超標")
    kwargs.setdefault("effectiveness_criterion", "連續三個月同類投訴為零")
    request = capa_issue(
        source=source,
        department=department or WorkshopFactory(),
        actor=actor or qc_inspector(),
        **kwargs,
    )
    return carried_out(request) if closed else request


def carried_out(request: CapaRequest, *, actor=None) -> CapaRequest:
    """The department carries the request out, the QC head verifies it and finds it effective: closed.

    Judged today: before its check date that is early, and the QC head says why (R-5.5.1.2).
    """
    actor = actor or qc_head()
    capa_implement(capa=request, actor=member(request.department), **CAPA_ACTIONS)
    capa_verify_execution(capa=request, actor=actor)
    early = "" if clock.today() >= request.effectiveness_check_date else "客戶已確認新批次無毛刺"
    return capa_verify_effectiveness(
        capa=request, effectiveness=Effectiveness.EFFECTIVE, actor=actor, early_reason=early
    )
