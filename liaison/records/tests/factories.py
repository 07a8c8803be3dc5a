"""Records decided, closed or voided at a chosen moment, made through the services."""

import datetime as dt

from liaison.core import clock
from liaison.core.tests.factories import local
from liaison.orders.models import ReviewRound
from liaison.orders.tests.factories import OrderFactory, review_pass

NOW = local(2026, 11, 27)  # now, in the records tests


def years_ago(years: int, *, days: int = 0, at: dt.datetime = NOW) -> dt.datetime:
    return at.replace(year=at.year - years) - dt.timedelta(days=days)


def decided_round(at: dt.datetime) -> ReviewRound:
    """An order registered and its review round 1 decided (accepted) at ``at``."""
    with clock.frozen(at):
        order = OrderFactory()
        review_round = order.review_rounds.get()
        review_pass(review_round)
    review_round.refresh_from_db()
    return review_round
