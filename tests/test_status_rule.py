"""The 红黄绿灯 rule as a table: pure, no database."""

import datetime as dt

import pytest

from tracker.choices import Status
from tracker.rules.status import StatusFacts, Thresholds, compute_status, expected_percent

JAN1, DEC31 = dt.date(2023, 1, 1), dt.date(2023, 12, 31)
MID_YEAR = dt.date(2023, 7, 2)  # day 183 of 365: expected 50%
T = Thresholds(at_risk_lag=10, off_track_lag=25)


def facts(percent=0, *, has_progress=True, completed_on=None, start=JAN1, deadline=DEC31):
    return StatusFacts(percent=percent, start_date=start, deadline=deadline,
                       has_progress=has_progress, completed_on=completed_on)


@pytest.mark.parametrize(
    ("case", "today", "expected"),
    [
        (facts(100), MID_YEAR, Status.DONE),
        (facts(40, completed_on=dt.date(2023, 6, 1)), MID_YEAR, Status.DONE),
        (facts(100), dt.date(2024, 2, 1), Status.DONE),
        (facts(95), dt.date(2024, 1, 1), Status.OFF_TRACK),  # a day late is late
        (facts(0, has_progress=False), dt.date(2023, 1, 10), Status.NOT_STARTED),
        (facts(0, has_progress=False, start=dt.date(2023, 3, 1)), dt.date(2023, 2, 1),
         Status.NOT_STARTED),
        (facts(0, has_progress=False), MID_YEAR, Status.OFF_TRACK),  # silence by July
        (facts(0, has_progress=False), dt.date(2023, 2, 20), Status.AT_RISK),
        (facts(50), MID_YEAR, Status.ON_TRACK),
        (facts(41), MID_YEAR, Status.ON_TRACK),  # lag 9 < 10
        (facts(40), MID_YEAR, Status.AT_RISK),  # lag 10
        (facts(26), MID_YEAR, Status.AT_RISK),  # lag 24
        (facts(25), MID_YEAR, Status.OFF_TRACK),  # lag 25
        (facts(90), MID_YEAR, Status.ON_TRACK),  # ahead of schedule
        (facts(99), DEC31, Status.ON_TRACK),  # due today, not yet late
    ],
)
def test_it_decides_the_status_from_progress_date_and_deadline(case, today, expected):
    assert compute_status(case, today=today, thresholds=T).status == expected


def test_it_takes_its_thresholds_from_the_caller():
    strict = Thresholds(at_risk_lag=1, off_track_lag=5)
    assert compute_status(facts(48), today=MID_YEAR, thresholds=T).status == Status.ON_TRACK
    assert compute_status(facts(48), today=MID_YEAR, thresholds=strict).status == Status.AT_RISK


@pytest.mark.parametrize(
    ("today", "percent"),
    [(dt.date(2022, 12, 31), 0), (JAN1, 0), (MID_YEAR, 50), (DEC31, 100),
     (dt.date(2024, 5, 1), 100)],
)
def test_it_computes_the_expected_trajectory(today, percent):
    assert expected_percent(start_date=JAN1, deadline=DEC31, today=today) == percent


def test_it_explains_the_status():
    result = compute_status(facts(0), today=dt.date(2024, 1, 11), thresholds=T)
    assert "11" in result.reason  # 2023-12-31 + 11 days
    result = compute_status(facts(30), today=MID_YEAR, thresholds=T)
    assert "30" in result.reason and "50" in result.reason
