"""Working days and standstill periods, worked by hand against the 2026 calendar."""

import datetime as dt

from infuse.procurement.timetable import LONDON, add_working_days, is_working_day, standstill_ends


def test_weekends_and_welsh_bank_holidays_are_not_working_days():
    assert is_working_day(dt.date(2026, 12, 24))  # Thursday
    assert not is_working_day(dt.date(2026, 12, 25))  # Christmas Day
    assert not is_working_day(dt.date(2026, 12, 28))  # Boxing Day (substitute)
    assert not is_working_day(dt.date(2026, 12, 26))  # Saturday


def test_eight_working_days_across_christmas():
    # Decision on Monday 21 December 2026: 22, 23, 24, 29, 30, 31 Dec, 4 and 5 Jan.
    assert add_working_days(dt.date(2026, 12, 21), 8) == dt.date(2027, 1, 5)
    ends = standstill_ends(dt.datetime(2026, 12, 21, 16, 30, tzinfo=LONDON), 8)
    assert ends == dt.datetime(2027, 1, 6, 0, 0, tzinfo=LONDON)


def test_the_standstill_ends_at_london_midnight_in_summer_time():
    # Friday 3 July 2026 (BST): 6–10 and 13–15 July; ends at 00:00 BST on 16 July = 23:00 UTC.
    ends = standstill_ends(dt.datetime(2026, 7, 3, 9, 0, tzinfo=dt.UTC), 8)
    assert ends == dt.datetime(2026, 7, 15, 23, 0, tzinfo=dt.UTC)


def test_no_working_days_means_no_standstill():
    decided = dt.datetime(2026, 7, 3, 9, 0, tzinfo=dt.UTC)
    assert standstill_ends(decided, 0) == decided
