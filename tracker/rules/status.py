"""红黄绿灯: the one rule that decides a task's status.

A pure function of facts and one moment (`today`): no clock, no ORM. The admin, the
web UI, the API, the daily refresh and the reminders all get a task's status from here,
through tracker.services.status, which stores the result on the task so lists and
dashboards can filter and count in the database.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from tracker.choices import Status


@dataclass(frozen=True)
class Thresholds:
    """Lag behind the expected trajectory (序时进度), in percentage points."""

    at_risk_lag: int = 10
    off_track_lag: int = 25

    @classmethod
    def from_settings(cls) -> Thresholds:
        from django.conf import settings

        return cls(
            at_risk_lag=settings.TRACKER_STATUS_AT_RISK_LAG,
            off_track_lag=settings.TRACKER_STATUS_OFF_TRACK_LAG,
        )


@dataclass(frozen=True)
class StatusFacts:
    percent: int
    start_date: dt.date
    deadline: dt.date
    has_progress: bool
    completed_on: dt.date | None = None


@dataclass(frozen=True)
class StatusResult:
    status: Status
    expected_percent: int
    reason: str


def expected_percent(*, start_date: dt.date, deadline: dt.date, today: dt.date) -> int:
    """序时进度: the share of the task's time that has passed by the end of `today`."""
    if today < start_date:
        return 0
    if today >= deadline:
        return 100
    total_days = (deadline - start_date).days + 1
    elapsed_days = (today - start_date).days + 1
    return round(100 * elapsed_days / total_days)


def compute_status(facts: StatusFacts, *, today: dt.date, thresholds: Thresholds) -> StatusResult:
    """Decide the status, in this order:

    1. Completed (a completion date, or 100%) is done, whatever the date.
    2. Past the deadline and not done is off track (逾期).
    3. Before the start date, or nothing reported while little time has passed, is not
       started.
    4. Otherwise compare the reported percent with the expected trajectory: a lag of
       `off_track_lag` points or more is off track, `at_risk_lag` or more is at risk,
       less is on track.
    """
    expected = expected_percent(start_date=facts.start_date, deadline=facts.deadline,
                                today=today)
    if facts.completed_on is not None or facts.percent >= 100:
        return StatusResult(Status.DONE, expected, str(_("已完成")))
    if today > facts.deadline:
        days = (today - facts.deadline).days
        return StatusResult(Status.OFF_TRACK, expected,
                            str(_("已逾期 %(days)d 天") % {"days": days}))
    lag = expected - facts.percent
    if today < facts.start_date or (not facts.has_progress and lag < thresholds.at_risk_lag):
        return StatusResult(Status.NOT_STARTED, expected, str(_("尚未报送进展")))
    detail = {"percent": facts.percent, "expected": expected}
    if lag >= thresholds.off_track_lag:
        return StatusResult(Status.OFF_TRACK, expected,
                            str(_("进度 %(percent)d%%，落后序时进度 %(expected)d%%") % detail))
    if lag >= thresholds.at_risk_lag:
        return StatusResult(Status.AT_RISK, expected,
                            str(_("进度 %(percent)d%%，略低于序时进度 %(expected)d%%") % detail))
    return StatusResult(Status.ON_TRACK, expected,
                        str(_("进度 %(percent)d%%，符合序时进度 %(expected)d%%") % detail))
