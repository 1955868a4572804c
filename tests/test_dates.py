import datetime as dt

import pytest

from safety_bulletins.dates import DateError, as_of_date, bucket, parse_datetime, parse_deadline
from safety_bulletins.model import Directive

AS_OF = dt.date(2026, 11, 28)


def make(deadline, status="open"):
    return Directive("x", "t", "", ("all",), (), "", deadline, status, None, 1)


@pytest.mark.parametrize(("days", "expected"), [
    (-1, "overdue"), (0, "due-soon"), (7, "due-soon"), (8, "upcoming"), (30, "upcoming"), (31, "later"),
])
def test_bucket_boundaries(days, expected):
    assert bucket(make(AS_OF + dt.timedelta(days=days)), AS_OF) == expected


def test_closed_and_ongoing():
    assert bucket(make(AS_OF - dt.timedelta(days=9), "done"), AS_OF) == "closed"
    assert bucket(make(None, "cancelled"), AS_OF) == "closed"
    assert bucket(make(None, "in-progress"), AS_OF) == "ongoing"


def test_deadlines():
    issued = dt.date(2021, 5, 25)
    assert parse_deadline("+14d", issued) == dt.date(2021, 6, 8)
    assert parse_deadline("+2w", issued) == dt.date(2021, 6, 8)
    assert parse_deadline("Ongoing", issued) is None
    assert parse_deadline("2024-02-29", issued) == dt.date(2024, 2, 29)
    with pytest.raises(DateError, match="not a deadline"):
        parse_deadline("2023-02-29", issued)


def test_meeting_times():
    assert parse_datetime("2021-06-01 09:30") == dt.datetime(2021, 6, 1, 9, 30)
    assert parse_datetime("2021-06-01") == dt.datetime(2021, 6, 1)
    with pytest.raises(DateError, match="impossible time"):
        parse_datetime("2021-06-01 25:00")


def test_as_of_from_environment():
    assert as_of_date({"BULLETINS_TODAY": "2021-06-01"}) == dt.date(2021, 6, 1)
    assert as_of_date({}) == dt.date.today()
    with pytest.raises(DateError, match="BULLETINS_TODAY"):
        as_of_date({"BULLETINS_TODAY": "tomorrow"})
