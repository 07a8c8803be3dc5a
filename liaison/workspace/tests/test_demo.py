"""The demo command loads a believable company and its logins work."""

from django.contrib.auth import authenticate
from django.core.management import call_command

from liaison.customers.models import Customer
from liaison.stock.models import QualifiedStock
from liaison.workspace.management.commands.demo import DEMO_PASSWORD, USERS


def test_demo_loads_once_and_logins_work(db):
    call_command("demo", stdout=open("/dev/null", "w"))
    call_command("demo", stdout=open("/dev/null", "w"))  # idempotent
    assert Customer.objects.count() == 12
    assert QualifiedStock.objects.filter(quantity__gt=0).count() >= 5
    # Orders in every state: delivered half from stock, delayed (void + current notice), under review.
    from liaison.orders.models import Clarification, Order
    from liaison.production.models import ProductionNotice

    assert Order.objects.count() == 3
    assert ProductionNotice.objects.filter(status="void").count() == 1
    assert Clarification.objects.filter(answered_at__isnull=True).count() == 1
    for username, *_rest in USERS:
        assert authenticate(username=username, password=DEMO_PASSWORD) is not None, username
