"""Demo orders in every state of the procedure, written through the services."""

import datetime as dt
import io
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from reportlab.pdfgen import canvas

from liaison.communications.services import received_document_catalogue
from liaison.communications.states import CommunicationChannel, ReceivedChannel
from liaison.core import clock
from liaison.core.models import Department, User
from liaison.customers.models import Customer
from liaison.orders import services as orders
from liaison.orders.models import Order
from liaison.orders.states import ChangeKind, ChangeReasonCategory, OrderChannel, ReviewOutcome
from liaison.production.services import notice_issue
from liaison.stock.models import Product
from liaison.stock.services import slip_issue


def _faxed_order(text: str) -> SimpleUploadedFile:
    """A one-page PDF standing in for a scanned fax."""
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    page.drawString(72, 760, text)
    page.save()
    return SimpleUploadedFile("fax.pdf", buffer.getvalue(), content_type="application/pdf")


def _sign_all(review_round, users_by_department: dict[str, User]) -> None:
    for sign_off in review_round.sign_offs.select_related("department"):
        orders.review_sign_off(
            sign_off=sign_off,
            capability_ok=True,
            capacity_ok=True,
            delivery_date_ok=True,
            quality_ok=True,
            opinion="",
            actor=users_by_department[sign_off.department.code],
        )


def load_demo_orders() -> None:
    """Four orders: fully delivered from stock and production, delayed, under review, waiting."""
    if Order.objects.exists():
        return
    user = {name: User.objects.get(username=name) for name in ("sales", "salesadmin", "qc", "workshop", "warehouse")}
    by_department = {"sales": user["sales"], "qc": user["qc"], "workshop-1": user["workshop"], "warehouse": user["warehouse"]}
    today = clock.today()
    bolt = Product.objects.get(code="HB-M6-20")
    bracket = Product.objects.get(code="BR-L50")
    rail = Product.objects.get(code="PL-DIN")
    workshop = Department.objects.get(code="workshop-1")
    hengda = Customer.objects.get(short_name="恒達五金")
    ruifeng = Customer.objects.get(short_name="瑞豐機電")
    meida = Customer.objects.get(short_name="美达电器")

    # 1. A faxed order: clarified, reviewed, half shipped from stock, half to production.
    fax = received_document_catalogue(
        customer=ruifeng, channel=ReceivedChannel.FAX, summary="訂單 PO-2611-078",
        upload=_faxed_order("PO-2611-078  HB-M6-20 x 20000"), actor=user["sales"],
    )
    order = orders.order_register(
        customer=ruifeng, channel=OrderChannel.FAX, received_document=fax, customer_po="PO-2611-078",
        lines=[{"product": bolt, "quantity": Decimal(20000), "specification": "M6×20 SUS304",
                "required_date": today + dt.timedelta(days=21)}],
        packaging="紙箱，每箱 1000 件", post_delivery="隨貨附材質證明", actor=user["sales"],
    )
    question = orders.clarification_ask(order=order, question="材質：鍍鋅還是 SUS304？",
                                        channel=CommunicationChannel.PHONE, actor=user["sales"])
    orders.clarification_answer(clarification=question, answer="SUS304，需附材質證明",
                                channel=CommunicationChannel.FAX, actor=user["sales"])
    review_round = order.review_rounds.get()
    _sign_all(review_round, by_department)
    orders.review_legal_check(review_round=review_round, passed=True, note="GB/T 5782-2016", actor=user["sales"])
    orders.review_decide(review_round=review_round, outcome=ReviewOutcome.ACCEPTED, conditions="", actor=user["salesadmin"])
    line = order.lines.get()
    slip_issue(customer=ruifeng, order=order, lines=[{"product": bolt, "quantity": Decimal(12000), "order_line": line}],
               actor=user["warehouse"])
    notice_issue(order=order, workshop=workshop, due_date=today + dt.timedelta(days=14),
                 lines=[{"product": bolt, "quantity": Decimal(8000), "order_line": line}], actor=user["salesadmin"])
    orders.order_delivery_reply(order=order, promised_date=today + dt.timedelta(days=18),
                                channel=CommunicationChannel.FAX, actor=user["sales"],
                                summary="12000 件已出貨，餘 8000 件於交期前交貨")

    # 2. An accepted order whose production is delayed by a material shortage.
    order = orders.order_register(
        customer=hengda, channel=OrderChannel.EMAIL, customer_po="HD-PO-5521",
        lines=[{"product": rail, "quantity": Decimal(400), "specification": "DIN35 1000mm",
                "required_date": today + dt.timedelta(days=10)}],
        actor=user["sales"],
    )
    review_round = order.review_rounds.get()
    _sign_all(review_round, by_department)
    orders.review_legal_check(review_round=review_round, passed=True, note="", actor=user["sales"])
    orders.review_decide(review_round=review_round, outcome=ReviewOutcome.ACCEPTED, conditions="", actor=user["salesadmin"])
    notice_issue(order=order, workshop=workshop, due_date=today + dt.timedelta(days=7),
                 lines=[{"product": rail, "quantity": Decimal(400), "order_line": order.lines.get()}],
                 actor=user["salesadmin"])
    change = orders.change_register(order=order, kind=ChangeKind.COMPANY, reason_category=ChangeReasonCategory.MATERIAL,
                                    reason="鋁型材供應商延遲到貨", new_due_date=today + dt.timedelta(days=17),
                                    actor=user["sales"])
    orders.change_record_agreement(change=change, agreed_by="何志強（採購經理）", agreed_at=clock.now(),
                                   via=CommunicationChannel.PHONE, actor=user["sales"])
    orders.change_apply(change=change, actor=user["salesadmin"])

    # 3. Under review with an open question and departments still to sign.
    order = orders.order_register(
        customer=meida, channel=OrderChannel.WRITTEN, customer_po="MD-26-1107",
        lines=[{"product": bracket, "quantity": Decimal(3000), "specification": "50×50×3 Q235 噴塑（黑色）",
                "required_date": today + dt.timedelta(days=30)}],
        packaging="托盤包裝", actor=user["sales"],
    )
    orders.clarification_ask(order=order, question="噴塑顏色：黑色 RAL9005 是否可以？",
                             channel=CommunicationChannel.EMAIL, actor=user["sales"])
