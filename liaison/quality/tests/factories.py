"""Complaints, returns and the goods behind them, made through the services as in real use."""

import datetime as dt
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType

from liaison.core import clock
from liaison.core.roles import Role
from liaison.core.tests.factories import DepartmentFactory, UserFactory
from liaison.customers.tests.factories import CustomerFactory
from liaison.production.tests.factories import OrderFactory, order_line
from liaison.quality.models import CapaRequest, Complaint
from liaison.quality.services.complaints import complaint_acknowledge, complaint_investigate, complaint_register
from liaison.quality.states import CapaSource, CapaStatus, ComplaintChannel, ComplaintKind
from liaison.stock.services import slip_issue, stock_move_record
from liaison.stock.states import MoveDirection, MoveReason
from liaison.stock.tests.factories import ProductFactory


def sales(**kwargs):
    return UserFactory(roles=[Role.SALES_STAFF], **kwargs)


def sales_admin(**kwargs):
    return UserFactory(roles=[Role.SALES_ADMIN], **kwargs)


def qc(**kwargs):
    return UserFactory(roles=[Role.QC_INSPECTOR], **kwargs)


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
    order = OrderFactory(customer=customer)
    line = order_line(order, product=product, quantity=quantity)
    slip_issue(
        customer=customer,
        order=order,
        lines=[{"product": product, "order_line": line, "quantity": Decimal(quantity)}],
        actor=actor or sales_admin(),
    )
    return customer, product, order


def complaint(*, customer=None, actor=None, kind=ComplaintKind.COMPLAINT, **kwargs) -> Complaint:
    """A complaint registered by Sales today (pass ``return_lines`` and ``kind`` for a return)."""
    values = {
        "channel": ComplaintChannel.PHONE,
        "complaint_date": clock.today(),
        "content": "螺紋不良，無法裝配",
    }
    values.update(kwargs)
    return complaint_register(
        customer=customer or CustomerFactory(), actor=actor or sales(), kind=kind, **values
    )


def acknowledged(**kwargs) -> Complaint:
    return complaint_acknowledge(complaint=complaint(**kwargs), actor=sales())


def investigated(*, at_fault=False, **kwargs) -> Complaint:
    return complaint_investigate(
        complaint=acknowledged(**kwargs),
        cause_category="method",
        why_chain=["螺紋規格用錯", "圖紙版本未更新"],
        root_cause="圖紙版本管理不到位",
        containment="庫存全檢",
        company_at_fault=at_fault,
        actor=qc(),
    )


def capa_for(complaint: Complaint, *, closed=False) -> CapaRequest:
    """A CAPA request whose source is ``complaint``, made directly (the CAPA services are apart)."""
    capa = CapaRequest.objects.create(
        number=f"CAPA-2026-{CapaRequest.objects.count() + 1:04d}",
        source_kind=CapaSource.COMPLAINT,
        source_type=ContentType.objects.get_for_model(Complaint),
        source_id=complaint.pk,
        customer=complaint.customer,
        department=DepartmentFactory(),
        problem=complaint.content,
        due_date=clock.today() + dt.timedelta(days=30),
        effectiveness_criterion="三個月內無同類投訴",
        effectiveness_check_date=clock.today() + dt.timedelta(days=90),
    )
    if closed:
        CapaRequest.objects.filter(pk=capa.pk).update(
            status=CapaStatus.CLOSED, closed_at=clock.now()
        )
        capa.refresh_from_db()
    return capa
