"""Test data of the orders app, made through the services like real data."""

import datetime as dt
from decimal import Decimal

import factory

from liaison.communications.tests.factories import CustomerFactory
from liaison.core import clock
from liaison.core.models import Department
from liaison.core.roles import Role
from liaison.core.states import DepartmentKind
from liaison.core.tests.factories import DepartmentFactory, UserFactory
from liaison.orders import services
from liaison.orders.models import Order, ReviewRound
from liaison.orders.states import OrderChannel, ReviewOutcome
from liaison.stock.tests.factories import ProductFactory

# The departments on the demo review form (R-5.2.3.1): code → name, kind, role of a member.
REVIEW_DEPARTMENTS = {
    "sales": ("業務部", DepartmentKind.SALES, Role.SALES_STAFF),
    "qc": ("質檢部", DepartmentKind.QC, Role.QC_INSPECTOR),
    "workshop-1": ("一車間（沖壓）", DepartmentKind.WORKSHOP, Role.WORKSHOP_LEAD),
    "warehouse": ("倉庫", DepartmentKind.WAREHOUSE, Role.WAREHOUSE_CLERK),
}


def review_departments() -> dict[str, Department]:
    """The departments that sign the review form, made once per test."""
    return {
        code: DepartmentFactory(code=code, name=name, kind=kind, signs_contract_review=True)
        for code, (name, kind, _role) in REVIEW_DEPARTMENTS.items()
    }


def member(code: str, role: Role | None = None, **kwargs):
    """A user of the review department ``code`` holding that department's usual role."""
    department = review_departments()[code]
    return UserFactory(roles=[role or REVIEW_DEPARTMENTS[code][2]], department=department, **kwargs)


def sales_admin(**kwargs):
    return member("sales", Role.SALES_ADMIN, **kwargs)


def in_days(days: int) -> dt.date:
    return clock.today() + dt.timedelta(days=days)


def order_line(**overrides) -> dict:
    values = {
        "product": overrides.pop("product") if "product" in overrides else ProductFactory(),
        "quantity": Decimal(100),
        "specification": "M6×20 SUS304",
        "required_date": in_days(30),
    }
    values.update(overrides)
    return values


class OrderFactory(factory.django.DjangoModelFactory):
    """An order registered through ``order_register``: F1 entry and its open review round 1."""

    class Meta:
        model = Order

    customer = factory.SubFactory(CustomerFactory)
    channel = OrderChannel.FAX
    customer_po = factory.Sequence(lambda n: f"PO-{n:04d}")
    lines = factory.LazyFunction(lambda: [order_line()])
    actor = factory.LazyFunction(sales_admin)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        review_departments()
        return services.order_register(**kwargs)


def sign_all(review_round: ReviewRound, **answers) -> None:
    """Every department on the round signs, each by one of its own members."""
    values = {
        "capability_ok": True,
        "capacity_ok": True,
        "delivery_date_ok": True,
        "quality_ok": True,
        "opinion": "",
    }
    values.update(answers)
    for sign_off in review_round.sign_offs.select_related("department"):
        services.review_sign_off(
            sign_off=sign_off, actor=member(sign_off.department.code), **values
        )


def review_pass(
    review_round: ReviewRound, *, actor=None, outcome=ReviewOutcome.ACCEPTED, conditions=""
):
    """Sign, check laws and regulations, and accept a review round."""
    actor = actor or sales_admin()
    sign_all(review_round)
    services.review_legal_check(
        review_round=review_round, passed=True, note="GB/T 5782", actor=actor
    )
    return services.review_decide(
        review_round=review_round, outcome=outcome, conditions=conditions, actor=actor
    )


def accepted_order(**kwargs) -> Order:
    """An order whose first review round has been accepted."""
    order = OrderFactory(**kwargs)
    review_pass(order.review_rounds.get())
    order.refresh_from_db()
    return order


def workshop() -> Department:
    return review_departments()["workshop-1"]
