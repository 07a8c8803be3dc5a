"""Demo decisions of management reviews: actions on the demo meetings that were held.

The satisfaction demo plans the meetings (and their survey rounds); this only adds the
actions a held meeting decided, once, so the calendar, the inbox and the pack show some.
"""

import datetime as dt

from liaison.core.models import User
from liaison.reviews import services
from liaison.reviews.models import ReviewMeeting
from liaison.reviews.states import MeetingStatus

# description, owner's username, due this many days after the meeting, done with this outcome (or open)
ACTIONS = [
    ("一車間準時交貨率提升至95%：增加沖壓模具備品", "saleshead", 60, "已增購兩套模具，9月準時率96%"),
    ("客訴結案時間縮短至10天內，每月檢討逾期案件", "qchead", 45, ""),
    ("顧客滿意度調查增加「溝通」評分項並回訪低分客戶", "saleshead", 120, ""),
]


def load_demo_actions() -> int:
    """Add the demo actions to held demo meetings that have none; return how many were added."""
    owners = {user.username: user for user in User.objects.filter(username__in={a[1] for a in ACTIONS})}
    chairs = User.objects.filter(username="manager")
    chair = chairs.first()
    if chair is None or len(owners) < 2:
        return 0
    added = 0
    meetings = ReviewMeeting.objects.filter(status=MeetingStatus.HELD, actions__isnull=True).order_by("meeting_date")
    for meeting in meetings:
        for description, username, days, outcome in ACTIONS:
            action = services.action_add(
                meeting=meeting, description=description, owner=owners[username],
                due_date=meeting.meeting_date + dt.timedelta(days=days), actor=chair,
            )
            added += 1
            if outcome:
                services.action_complete(action=action, outcome=outcome, actor=owners[username])
    return added
