"""One believable company for the security tests: the demo data plus records of every kind.

Built once per test module (``world`` fixture in conftest.py) through the services, so
the records are as real use leaves them. Each role is played by its demo user, who
belongs to that role's department: the workshop lead to workshop 1, the responsible
member to engineering. Records of *another* department (workshop 2's notice, the
purchasing department's CAPA request) prove that scoped lists and direct access hide them.
"""

import datetime as dt
import io
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from reportlab.pdfgen import canvas

from liaison.communications.models import CommunicationRecord, ReceivedDocument
from liaison.core import clock
from liaison.core.models import Department, User
from liaison.core.roles import Role
from liaison.core.services import attachment_add
from liaison.customers.models import Contact, Customer
from liaison.orders.models import ChangeEntry, Clarification, Order, ReviewRound, ReviewSignOff
from liaison.production.models import ProductionNotice
from liaison.production.services import notice_issue
from liaison.quality.capa import services as capa_services
from liaison.quality.models import NonconformanceRecord
from liaison.quality.services import complaints, returns
from liaison.quality.services import feedback as feedback_services
from liaison.quality.states import ComplaintChannel, ComplaintKind, FeedbackKind
from liaison.records.models import DisposalLogEntry, DisposalRun, RetentionPolicy
from liaison.records.services import hold_place
from liaison.reviews.models import ReviewAction, ReviewMeeting
from liaison.satisfaction.models import QuestionnaireTemplate, SurveyForm, SurveyRound
from liaison.stock.models import OutboundSlip, Product, QualifiedStock, StockMove
from liaison.workspace.management.commands.demo import USERS

# The demo user playing each role.
USERNAME = {role: username for username, _last, _first, role, _dept in USERS}


@dataclass
class World:
    users: dict
    objects: dict = field(default_factory=dict)
    sessions: dict = field(default_factory=dict)

    def __getattr__(self, name):
        try:
            return self.__dict__["objects"][name]
        except KeyError:
            raise AttributeError(name) from None

    def user(self, role: Role | None) -> User | None:
        return None if role is None else self.users[role]


def _pdf(text: str) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    page.drawString(72, 760, text)
    page.save()
    return SimpleUploadedFile("scan.pdf", buffer.getvalue(), content_type="application/pdf")


def build_world() -> World:
    with open("/dev/null", "w") as quiet:
        call_command("demo", stdout=quiet)
    users = {role: User.objects.get(username=USERNAME[role]) for role in Role}
    sales, qc = users[Role.SALES_STAFF], users[Role.QC_INSPECTOR]
    today = clock.today()
    world = World(users=users)
    o = world.objects

    o["department"] = Department.objects.get(code="sales")
    o["workshop"] = Department.objects.get(code="workshop-1")
    o["other_workshop"] = Department.objects.get(code="workshop-2")
    o["engineering"] = Department.objects.get(code="engineering")
    o["purchasing"] = Department.objects.get(code="purchasing")
    o["customer"] = Customer.objects.get(short_name="瑞豐機電")
    o["contact"] = Contact.objects.filter(customer=o["customer"]).first()
    o["product"] = Product.objects.get(code="HB-M6-20")
    o["stock"] = QualifiedStock.objects.get(product=o["product"])
    o["stock_move"] = StockMove.objects.filter(product=o["product"]).first()
    o["order"] = Order.objects.get(customer_po="PO-2611-078")  # accepted, shipped half, notice issued
    o["order_under_review"] = Order.objects.get(customer_po="MD-26-1107")
    o["slip"] = OutboundSlip.objects.filter(order=o["order"]).first()
    o["received_document"] = ReceivedDocument.objects.exclude(attachments=None).first()
    o["fax_attachment"] = o["received_document"].attachments.first()
    o["communication_record"] = CommunicationRecord.objects.first()
    o["review_round"] = ReviewRound.objects.filter(order=o["order_under_review"]).first()
    o["sign_off"] = ReviewSignOff.objects.filter(review_round=o["review_round"]).first()
    o["clarification"] = Clarification.objects.filter(order=o["order_under_review"]).first()
    o["change"] = ChangeEntry.objects.first()
    o["change_order"] = o["change"].order  # F3 is printed per order: its register of changes
    o["notice"] = ProductionNotice.objects.filter(order=o["order"], workshop=o["workshop"]).first()
    o["other_notice"] = notice_issue(
        order=None, workshop=o["other_workshop"], due_date=today + dt.timedelta(days=20),
        lines=[{"product": o["product"], "quantity": Decimal(10)}], replenishment=True,
        actor=users[Role.SALES_ADMIN],
    )
    o["complaint"] = complaints.complaint_register(
        customer=o["customer"], channel=ComplaintChannel.PHONE, complaint_date=today,
        content="螺紋不良，無法裝配", order=o["order"], actor=sales,
    )
    o["return"] = complaints.complaint_register(
        customer=o["customer"], channel=ComplaintChannel.PHONE, complaint_date=today, content="退貨：表面刮傷",
        kind=ComplaintKind.RETURN, order=o["order"],
        return_lines=[{"product": o["product"], "quantity": Decimal(20)}], actor=sales,
    )
    o["return_line"] = o["return"].return_lines.get()
    complaints.complaint_acknowledge(complaint=o["return"], actor=users[Role.SALES_HEAD])
    returns.return_inspect(
        return_line=o["return_line"], arrived=Decimal(10), good=Decimal(6), nonconforming=Decimal(4),
        nonconformity="表面刮傷", actor=qc,
    )
    o["nonconformance"] = NonconformanceRecord.objects.get()
    o["feedback"] = feedback_services.feedback_record(
        customer=o["customer"], kind=FeedbackKind.SUGGESTION, channel=ComplaintChannel.PHONE,
        content="希望提供電子版檢驗報告", actor=sales,
    )
    # A complaint's CAPA request follows the QC head's finding of fault (R-5.5.1.2).
    complaints.complaint_acknowledge(complaint=o["complaint"], actor=users[Role.SALES_HEAD])
    complaints.complaint_investigate(
        complaint=o["complaint"], cause_category="method", why_chain=["螺紋規格用錯"], root_cause="圖紙版本未更新",
        containment="", company_at_fault=True, actor=users[Role.QC_HEAD],
    )
    o["capa"] = capa_services.capa_issue(
        source=o["complaint"], department=o["engineering"], problem="螺紋規格用錯",
        effectiveness_criterion="三個月內無同類投訴", actor=qc,
    )
    o["other_capa"] = capa_services.capa_issue(
        source=None, department=o["purchasing"], problem="來料檢驗漏檢", customer=o["customer"],
        effectiveness_criterion="下三批來料合格", actor=qc,
    )
    o["complaint_attachment"] = _attach(o["complaint"], sales)
    _reviews_surveys_and_records(world)
    world.sessions = {role: _session(user) for role, user in users.items()}
    return world


def _session(user) -> str:
    """A signed-in session for ``user``, made once: tests send its cookie instead of logging in each time."""
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "liaison.core.roles.RoleModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


def _attach(owner, actor):
    return attachment_add(owner=owner, upload=_pdf("complaint photo"), actor=actor)


def _reviews_surveys_and_records(world: World) -> None:
    """Records of the management review, satisfaction and records apps, and one disposal in the log."""
    o = world.objects
    o["meeting"] = ReviewMeeting.objects.order_by("meeting_date").last()
    o["review_action"] = ReviewAction.objects.first()
    o["survey_round"] = SurveyRound.objects.order_by("pk").last()
    o["survey_form"] = SurveyForm.objects.filter(round=o["survey_round"]).order_by("pk").first()
    o["answer_token"] = o["survey_form"].answer_token
    o["questionnaire"] = QuestionnaireTemplate.objects.first()
    o["retention_policy"] = RetentionPolicy.objects.first()
    o["legal_hold"] = hold_place(
        record_type="F1", object_id=o["order"].pk, reason="客戶爭議，保留證據", actor=world.users[Role.ADMINISTRATOR]
    )
    o["disposal_log_entry"] = _disposal_logged(world.users[Role.ADMINISTRATOR])


def _disposal_logged(actor: User) -> DisposalLogEntry:
    """A record disposed of long ago, as the disposal job leaves its line in the log (R-5.7)."""
    now = clock.now()
    policy = RetentionPolicy.objects.get(record_type="F1")
    run = DisposalRun.objects.create(started_by=actor, archive_dir="/archive", finished_at=now, found=1, disposed=1)
    return DisposalLogEntry.objects.create(
        run=run, record_type="F1", object_id=1_000_000, number="ORD-2019-0001", order_number="ORD-2019-0001",
        retention_started=now - dt.timedelta(days=5 * 365), retention_ended=now - dt.timedelta(days=3 * 365),
        policy=policy, policy_period=policy.period_text[:40], archive_path="/archive/F1/2019/ORD-2019-0001",
        sha256="0" * 64, files=[], disposed_at=now,
    )
