"""Management review meetings, planned and held through the reviews services."""

import datetime as dt

from liaison.core import clock
from liaison.core.tests.factories import manager
from liaison.reviews import services
from liaison.reviews.models import ReviewMeeting


def planned(*, chair=None, meeting_date=None, title="2026年下半年管理評審", agenda="1. 顧客滿意度\n2. 客訴處理", **kwargs):
    chair = chair or manager()
    return services.meeting_plan(
        title=title,
        meeting_date=meeting_date or clock.today() + dt.timedelta(days=18),
        chair=chair,
        agenda=agenda,
        actor=kwargs.pop("actor", chair),
        **kwargs,
    )


def held(*, meeting_date, minutes="評審了顧客滿意度與客訴處理。", actions=(), chair=None, **kwargs) -> ReviewMeeting:
    """A meeting planned and held on ``meeting_date`` (the clock is moved there for holding)."""
    chair = chair or manager()
    meeting = planned(chair=chair, meeting_date=meeting_date, **kwargs)
    with clock.frozen(meeting_date):
        return services.meeting_hold(meeting=meeting, minutes=minutes, actions=actions, actor=chair)
