"""Calendar arithmetic of the survey deadlines (R-5.6.3)."""

import calendar
import datetime as dt


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved by ``months`` calendar months (negative goes back), clamped to the month's end.

    31 August + 2 months is 31 October; 31 December − 2 months is 31 October;
    31 December + 2 months is 28 (or 29) February.
    """
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
