"""The one source of "now" for Liaison.

Deadlines in the procedure (chase on day 15, void after 2 months, retention after
2 years) are computed from this module, so tests move the calendar with
``clock.frozen(...)`` instead of patching the world.
"""

import contextlib
import datetime as dt
import threading

from django.utils import timezone

_state = threading.local()
_global_override: dt.datetime | None = None


def now() -> dt.datetime:
    """Return the current aware datetime, or the frozen one in tests."""
    override = getattr(_state, "override", None) or _global_override
    return override if override is not None else timezone.now()


def today() -> dt.date:
    """Return today's date in the installation's time zone."""
    return timezone.localdate(now())


@contextlib.contextmanager
def frozen(moment: dt.datetime | dt.date, *, all_threads: bool = False):
    """Freeze the clock at ``moment`` (a date means 09:00 local time that day)."""
    global _global_override
    if isinstance(moment, dt.date) and not isinstance(moment, dt.datetime):
        moment = dt.datetime.combine(moment, dt.time(9, 0))
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    if all_threads:
        previous, _global_override = _global_override, moment
    else:
        previous = getattr(_state, "override", None)
        _state.override = moment
    try:
        yield moment
    finally:
        if all_threads:
            _global_override = previous
        else:
            _state.override = previous
