import pytest
from django.utils import translation

from liaison.core import clock
from liaison.satisfaction.tests import factories

# Today in the project's calendar: the tests see the same dates every day they run.
TODAY = clock.dt.date(2026, 11, 27)


@pytest.fixture(autouse=True)
def today():
    with clock.frozen(TODAY):
        yield TODAY


@pytest.fixture
def english():
    """Messages compared word for word are compared in English."""
    with translation.override("en"):
        yield


@pytest.fixture
def sales(db):
    return factories.sales()


@pytest.fixture
def qc(db):
    return factories.qc()
