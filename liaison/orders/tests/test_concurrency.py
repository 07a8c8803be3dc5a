"""Steps on the same order at the same moment, on a real PostgreSQL server."""

import datetime as dt
import threading
import time

import pytest
from django.db import connection

from liaison.core import clock
from liaison.core.errors import LiaisonError
from liaison.core.tests.factories import member, review_departments, sales_admin
from liaison.customers.tests.factories import CustomerFactory
from liaison.orders.errors import OrderErrorCode
from liaison.orders.models import ChangeEntry, Clarification, ReviewRound
from liaison.orders.services import (
    change_register,
    clarification_ask,
    review_decide,
    review_legal_check,
)
from liaison.orders.states import OrderStatus, ReviewOutcome
from liaison.orders.tests.factories import OrderFactory, accepted_order, order_line, sign_all

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("row locks are only meaningful on PostgreSQL")


def slow(monkeypatch, model):
    """Hold a writer inside its transaction, so the other step arrives while it works."""
    save = model.save

    def slow_save(self, *args, **kwargs):
        time.sleep(0.2)
        return save(self, *args, **kwargs)

    monkeypatch.setattr(model, "save", slow_save)


def race(*steps) -> list:
    """Run the steps in threads released together; return each one's outcome."""
    start = threading.Barrier(len(steps))
    outcomes = [None] * len(steps)

    def run(index, step):
        try:
            start.wait(timeout=10)
            step()
            outcomes[index] = "done"
        except LiaisonError as error:
            outcomes[index] = error.code
        except Exception as error:  # a constraint error would mean the lock did not hold
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, step)) for i, step in enumerate(steps)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


@pytest.mark.parametrize("slow_model", [ReviewRound, Clarification])
def test_r_5_2_2_2_a_clarification_raised_while_deciding_never_slips_past_the_review(
    monkeypatch, slow_model
):
    review_departments()
    clerk, head = sales_admin(), sales_admin()
    order = OrderFactory(actor=clerk)
    review_round = order.review_rounds.get()
    sign_all(review_round)
    review_legal_check(review_round=review_round, passed=True, note="", actor=clerk)
    slow(monkeypatch, slow_model)

    outcomes = race(
        lambda: review_decide(
            review_round=review_round, outcome=ReviewOutcome.ACCEPTED, conditions="", actor=head
        ),
        lambda: clarification_ask(order=order, question="包裝？", channel="phone", actor=clerk),
    )

    decided, asked = outcomes
    assert (decided, asked) in [
        ("done", OrderErrorCode.ORDER_NOT_UNDER_REVIEW),
        (OrderErrorCode.CLARIFICATION_OPEN, "done"),
    ], outcomes
    order.refresh_from_db()
    accepted = order.status == OrderStatus.ACCEPTED
    assert accepted == (decided == "done")
    assert Clarification.objects.filter(order=order).exists() == (asked == "done")


def test_two_clerks_registering_a_delay_at_once_make_one_register_entry(monkeypatch):
    order = accepted_order()
    clerks = [sales_admin(), sales_admin()]
    slow(monkeypatch, ChangeEntry)

    def register(clerk):
        return lambda: change_register(
            order=order,
            kind="company",
            reason_category="material",
            reason="缺料",
            new_due_date=clock.today() + dt.timedelta(days=30),
            actor=clerk,
        )

    outcomes = race(*(register(clerk) for clerk in clerks))

    assert sorted(map(str, outcomes)) == sorted(["done", OrderErrorCode.CHANGE_PENDING]), outcomes
    assert ChangeEntry.objects.filter(order=order).count() == 1


def test_a_sign_off_and_a_decision_at_once_queue_up_on_the_order_instead_of_deadlocking(monkeypatch):
    from django.test.utils import CaptureQueriesContext

    from liaison.orders.services import review_sign_off

    review_departments()
    clerk = sales_admin()
    order = OrderFactory(actor=clerk)
    review_round = order.review_rounds.get()
    sign_all(review_round)
    review_legal_check(review_round=review_round, passed=True, note="", actor=clerk)
    sign_off = review_round.sign_offs.select_related("department").first()
    with CaptureQueriesContext(connection) as queries:
        review_legal_check(review_round=review_round, passed=True, note="", actor=clerk)
    locks = [q["sql"] for q in queries if "FOR UPDATE" in q["sql"]]
    # The order first, then the round; each lock takes its own table only, not the customer's.
    assert '"orders_order"' in locks[0] and '"orders_reviewround"' in locks[1], locks
    assert all("FOR UPDATE OF" in sql and "customers_customer" not in sql.split("FOR UPDATE")[1] for sql in locks)
    slow(monkeypatch, ReviewRound)

    outcomes = race(
        lambda: review_decide(
            review_round=review_round, outcome=ReviewOutcome.ACCEPTED, conditions="", actor=clerk
        ),
        lambda: review_sign_off(
            sign_off=sign_off,
            capability_ok=True,
            capacity_ok=True,
            delivery_date_ok=True,
            quality_ok=True,
            opinion="",
            actor=member(sign_off.department.code),
        ),
    )
    assert all(outcome == "done" or isinstance(outcome, str) for outcome in outcomes), outcomes


def test_r_5_2_2_3_orders_registered_at_once_get_gapless_numbers_and_failures_burn_none(monkeypatch):
    from liaison.customers.models import TimelineEntry
    from liaison.customers.states import TimelineEvent
    from liaison.orders.models import Order
    from liaison.orders.services import order_register, review

    review_departments()
    clerk = sales_admin()
    customers = [CustomerFactory() for _ in range(12)]
    failing = {customer.pk for customer in customers[::3]}  # 4 of 12 fail after writing most rows
    lines = [[order_line(), order_line()] for _ in customers]
    slow(monkeypatch, ReviewRound)  # each registration works a while before it takes its number
    real = review.timeline_record  # the round is opened by the review aggregate

    def timeline_record(**kwargs):
        if kwargs["event"] == TimelineEvent.REVIEW_OPENED and kwargs["customer"].pk in failing:
            raise LiaisonError("test", "the registration fails at its end")
        return real(**kwargs)

    monkeypatch.setattr(review, "timeline_record", timeline_record)

    def register(customer, order_lines):
        return lambda: order_register(customer=customer, channel="email", lines=order_lines, actor=clerk)

    outcomes = race(*(register(customer, order_lines) for customer, order_lines in zip(customers, lines, strict=True)))

    assert sorted(map(str, outcomes)) == sorted(["done"] * 8 + ["test"] * 4), outcomes
    orders = list(Order.objects.order_by("number"))
    year = clock.today().year
    assert [order.number for order in orders] == [f"ORD-{year}-{n:04d}" for n in range(1, 9)]
    assert {order.customer_id for order in orders}.isdisjoint(failing)
    for order in orders:
        assert list(order.history.values_list("number", flat=True)) == [order.number]
        assert order.lines.count() == 2 and order.review_rounds.get().sign_offs.count() == 4
        summaries = TimelineEntry.objects.filter(
            customer=order.customer, event__in=[TimelineEvent.ORDER_REGISTERED, TimelineEvent.REVIEW_OPENED]
        ).values_list("summary", flat=True)
        assert sorted(s.split(" ")[0] for s in summaries) == [order.number, order.number]
