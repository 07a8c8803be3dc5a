import datetime as dt

from liaison.core.tests.factories import frozen_today

# Today in the project's calendar: the tests see the same dates every day they run.
TODAY = dt.date(2026, 11, 27)

today = frozen_today(TODAY)
