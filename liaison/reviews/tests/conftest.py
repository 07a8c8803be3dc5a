import datetime as dt

import pytest

from liaison.core import clock

# Today in the project's calendar: the tests see the same dates every day they run.
TODAY = dt.date(2026, 11, 27)


@pytest.fixture(autouse=True)
def today():
    with clock.frozen(TODAY):
        yield TODAY


@pytest.fixture(autouse=True)
def fast_fonts(settings):
    """Print with cached Regular instances when there are some, else the variable fonts."""
    settings.LIAISON_PDF_STATIC_FONTS = False
