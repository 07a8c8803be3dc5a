"""The demo command loads a believable company and its logins work."""

from django.contrib.auth import authenticate
from django.core.management import call_command

from liaison.core.management.commands.demo import DEMO_PASSWORD, USERS
from liaison.customers.models import Customer
from liaison.stock.models import QualifiedStock


def test_demo_loads_once_and_logins_work(db):
    call_command("demo", stdout=open("/dev/null", "w"))
    call_command("demo", stdout=open("/dev/null", "w"))  # idempotent
    assert Customer.objects.count() == 12
    assert QualifiedStock.objects.filter(quantity__gt=0).count() >= 5
    for username, *_rest in USERS:
        assert authenticate(username=username, password=DEMO_PASSWORD) is not None, username
