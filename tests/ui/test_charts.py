"""The SVG charts, as pure functions of their numbers."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from tracker.charts import Point, bullet, expected_is_flat, progress_bar, status_stack, trajectory


def test_a_progress_bar_is_as_long_as_the_percent_and_says_so():
    svg = progress_bar(40, expected=60)
    assert 'width="40"' in svg
    assert 'role="img"' in svg and "40%" in svg and "60%" in svg


def test_a_progress_bar_clamps_nonsense():
    assert 'width="100" height="10" rx="2" fill="#1849a9"' in progress_bar(250)


def test_a_status_stack_splits_by_status_worst_first():
    svg = status_stack({"off_track": 1, "on_track": 3})
    widths = re.findall(r'width="([\d.]+)" height="10" fill', svg)
    assert widths == ["25", "75"]
    assert svg.index("#d92d20") < svg.index("#12b76a")


def test_a_bullet_has_nothing_to_draw_for_an_in_step_target():
    assert bullet(actual=None, target=None) is None


def test_a_bullet_marks_the_target_and_the_actual():
    svg = bullet(actual=Decimal("5.1"), target=Decimal(6), baseline=Decimal("5.2"), unit="%")
    assert "目标 6%" in svg and "最新实际 5.1%" in svg and "基期 5.2%" in svg


def test_a_trajectory_rises_to_the_target_for_a_count():
    svg = trajectory(start=dt.date(2023, 1, 1), due=dt.date(2023, 12, 31), target=Decimal(40),
                     readings=[Point(dt.date(2023, 6, 30), Decimal(17))],
                     today=dt.date(2023, 7, 1), unit="个")
    expected = re.search(r'<polyline points="([^"]+)"[^>]*stroke-dasharray="6 4"', svg)
    (x0, y0), (x1, y1) = [tuple(map(float, p.split(","))) for p in expected.group(1).split()]
    assert x0 < x1 and y0 > y1  # left-bottom to right-top
    assert "2023-06-30: 17个" in svg


def test_a_trajectory_holds_a_rate_flat_at_its_target():
    assert expected_is_flat(unit="%", comparator="approx", direction="increase")
    assert expected_is_flat(unit="处", comparator="eq", direction="decrease")
    assert not expected_is_flat(unit="个", comparator="eq", direction="increase")


def test_a_trajectory_escapes_text():
    svg = trajectory(start=dt.date(2023, 1, 1), due=dt.date(2023, 12, 31), target=Decimal(1),
                     readings=[Point(dt.date(2023, 2, 1), Decimal(1))],
                     today=dt.date(2023, 2, 1), unit="<script>")
    assert "<script>" not in svg and "&lt;script&gt;" in svg


def test_a_trajectory_copes_with_readings_outside_the_period_and_no_target():
    svg = trajectory(start=dt.date(2023, 1, 1), due=dt.date(2023, 1, 1), target=None,
                     readings=[Point(dt.date(2022, 12, 1), Decimal(-3)),
                               Point(dt.date(2023, 3, 1), Decimal(0))],
                     today=dt.date(2023, 3, 1))
    assert svg.startswith("<svg") and "NaN" not in svg
