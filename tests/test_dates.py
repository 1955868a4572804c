import datetime as dt
import zoneinfo

import pytest

from safety_bulletins.sources.dates import DateError, as_of_date, parse_datetime, read_deadline
from safety_bulletins.state import State
from helpers import MEETING_MD, build, mkdocs

AS_OF = dt.date(2026, 11, 28)


def make(deadline, status="open"):
    return State(status, deadline, deadline, AS_OF - dt.timedelta(days=60), AS_OF - dt.timedelta(days=60))


def bucket(state, as_of):
    return state.bucket(as_of)


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
    assert read_deadline("+14d", issued).date == dt.date(2021, 6, 8)
    assert read_deadline("+2w", issued).date == dt.date(2021, 6, 8)
    assert read_deadline("Ongoing", issued).date is None
    assert read_deadline("2024-02-29", issued).date == dt.date(2024, 2, 29)
    with pytest.raises(DateError, match="not a deadline"):
        read_deadline("2023-02-29", issued).date


def test_meeting_times():
    assert parse_datetime("2021-06-01 09:30") == dt.datetime(2021, 6, 1, 9, 30)
    assert parse_datetime("2021-06-01") == dt.datetime(2021, 6, 1)
    with pytest.raises(DateError, match="impossible time"):
        parse_datetime("2021-06-01 25:00")


def test_as_of_from_environment():
    assert as_of_date({"BULLETINS_TODAY": "2021-06-01"}) == dt.date(2021, 6, 1)
    assert as_of_date({}) == dt.datetime.now(zoneinfo.ZoneInfo("Asia/Shanghai")).date()  # the site's default zone
    with pytest.raises(DateError, match="BULLETINS_TODAY"):
        as_of_date({"BULLETINS_TODAY": "tomorrow"})


@pytest.mark.parametrize("deadline", ["+9999999d", "+99999999999w", "+999999999w", "+" + "9" * 5000 + "d"])
def test_deadlines_past_the_calendar_are_errors_with_a_short_message(deadline):
    with pytest.raises(DateError, match=r"falls after 9999-12-31.*write the deadline as a date") as caught:
        read_deadline(deadline, dt.date(2021, 5, 25)).date
    assert len(str(caught.value)) < 250  # the value is cut short, not printed whole


def test_relative_deadlines_at_both_ends_of_the_calendar():
    assert read_deadline("+14d", dt.date(1, 1, 1)).date == dt.date(1, 1, 15)
    assert read_deadline("+14d", dt.date(9999, 12, 17)).date == dt.date(9999, 12, 31)
    with pytest.raises(DateError, match="from the bulletin's date 9999-12-31 falls after 9999-12-31"):
        read_deadline("+14d", dt.date(9999, 12, 31)).date


def test_relative_deadlines_with_leading_zeros_or_full_width_digits():
    issued = dt.date(2021, 5, 25)
    assert read_deadline("+" + "0" * 30 + "14d", issued).date == dt.date(2021, 6, 8)
    assert read_deadline("+１４d", issued).date == dt.date(2021, 6, 8)  # typed with a Chinese IME


@pytest.mark.parametrize("day", ["9999-12-31", "1969-12-31", "0001-01-01", "2106-02-08"])
def test_as_of_outside_the_buildable_range_is_refused(day):
    with pytest.raises(DateError, match=f"BULLETINS_TODAY: {day} is outside .* 1970-01-01 to 2106-02-07"):
        as_of_date({"BULLETINS_TODAY": day})


def test_as_of_at_the_ends_of_the_buildable_range():
    assert as_of_date({"BULLETINS_TODAY": "1970-01-01"}) == dt.date(1970, 1, 1)
    assert as_of_date({"BULLETINS_TODAY": "2106-02-07"}) == dt.date(2106, 2, 7)


@pytest.mark.parametrize("day", ["9999-12-31", "1969-12-31", "0001-01-01"])
def test_build_outside_the_range_gives_one_clear_error(site_project, day):
    result = mkdocs(site_project({"2021/2021-05-25-meeting.md": MEETING_MD}), "build", as_of=day)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if "ERROR" in line]
    assert errors == [f"ERROR   -  BULLETINS_TODAY: {day} is outside the dates a site can be built for, "
                      "1970-01-01 to 2106-02-07: set a date in that range, or unset BULLETINS_TODAY to use today"]


@pytest.mark.parametrize("day", ["1970-01-01", "2106-02-07"])
def test_build_at_the_ends_of_the_range(site_project, day):
    site = build(site_project({"2021/2021-05-25-meeting.md": MEETING_MD}), as_of=day)
    assert f"<lastmod>{day}</lastmod>" in (site / "sitemap.xml").read_text(encoding="utf-8")
    assert (site / "sitemap.xml.gz").is_file()
