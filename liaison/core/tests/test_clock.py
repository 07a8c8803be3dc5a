import datetime as dt

from django.utils import timezone

from liaison.core import clock


def test_frozen_clock_moves_now_and_today_then_returns():
    with clock.frozen(dt.date(2026, 8, 31)):
        assert clock.today() == dt.date(2026, 8, 31)
        assert timezone.localtime(clock.now()).hour == 9
    assert abs((clock.now() - timezone.now()).total_seconds()) < 5
