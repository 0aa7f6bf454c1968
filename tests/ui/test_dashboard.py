"""The plan dashboard and "my tasks"."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from tests.factories import (
    AreaFactory,
    DepartmentFactory,
    IndicatorFactory,
    PlanFactory,
    TaskFactory,
)
from tests.ui.conftest import count_queries
from tracker.choices import Comparator, Status
from tracker.selectors_ui import reporting_cycle
from tracker.services.progress import progress_entry_create

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("ui:dashboard")
MY = reverse("ui:my_tasks")


@pytest.fixture
def tasks(area, department, other_department, today):
    return {
        "ours": TaskFactory(area=area, code="A1.1", title="狠抓项目扩大投资",
                            lead_department=department, deadline=dt.date(2023, 6, 18),
                            status=Status.AT_RISK),
        "theirs": TaskFactory(area=area, code="A1.2", title="新建公办幼儿园",
                              lead_department=other_department,
                              deadline=dt.date(2023, 5, 31), status=Status.OFF_TRACK),
    }


def test_it_sends_a_visitor_to_sign_in(client, plan):
    response = client.get(DASHBOARD)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('ui:login')}?next=/"


def test_it_shows_a_leader_the_whole_district(signed_in, leader, tasks):
    page = signed_in(leader).get(DASHBOARD).content.decode()
    assert "狠抓项目扩大投资" in page and "新建公办幼儿园" in page
    assert "本部门" not in page  # a leader has no department to narrow to


def test_it_starts_a_member_on_their_own_department(signed_in, member, tasks):
    client = signed_in(member)
    page = client.get(DASHBOARD).content.decode()
    assert "狠抓项目扩大投资" in page  # due soon, ours
    assert "新建公办幼儿园" not in page  # overdue, another department's
    whole = client.get(DASHBOARD, {"scope": "all"}).content.decode()
    assert "新建公办幼儿园" in whole


def test_it_lists_overdue_and_due_soon_tasks_linked_to_their_pages(signed_in, leader, tasks):
    response = signed_in(leader).get(DASHBOARD)
    assert [t.code for t in response.context["overdue"]] == ["A1.2"]
    assert [t.code for t in response.context["due_soon"]] == ["A1.1"]
    page = response.content.decode()
    for task in tasks.values():
        assert reverse("ui:task", args=[task.pk]) in page


def test_it_rolls_up_each_area_with_counts_by_status(signed_in, leader, tasks, area):
    page = signed_in(leader).get(DASHBOARD).content.decode()
    assert f"?plan={area.plan.pk}&amp;area={area.pk}" in page
    assert "任务 2 · 滞后 1 · 有风险 1 · 正常 0 · 完成 0" in page
    assert 'class="chart-bar"' in page


def test_it_shows_each_headline_target_against_its_latest_actual(signed_in, leader, plan,
                                                                 supervisor):
    from tracker.services.progress import indicator_reading_create

    gdp = IndicatorFactory(plan=plan, task=None, name="地区生产总值增速", unit="%",
                           comparator=Comparator.APPROX, target_value=Decimal(6))
    indicator_reading_create(indicator=gdp, value=Decimal("5.1"),
                             measured_on=dt.date(2023, 3, 31), author=supervisor)
    IndicatorFactory(plan=plan, task=None, name="居民收入增长与经济增长同步",
                     comparator=Comparator.IN_STEP, target_value=None)
    page = signed_in(leader).get(DASHBOARD).content.decode()
    assert "地区生产总值增速" in page
    assert "≈ 6 %" in page and "5.1 %" in page
    assert 'class="chart-bullet"' in page
    assert "同步" in page
    assert reverse("ui:indicator", args=[gdp.pk]) in page


def test_it_links_each_department_to_its_page(signed_in, leader, tasks, department, plan):
    page = signed_in(leader).get(DASHBOARD).content.decode()
    assert f"{reverse('ui:department', args=[department.pk])}?plan={plan.pk}" in page


def test_it_shows_the_newest_progress(signed_in, leader, member, tasks):
    progress_entry_create(task=tasks["ours"], author=member, percent=30,
                          progress_text="新开工项目8个")
    page = signed_in(leader).get(DASHBOARD).content.decode()
    assert "新开工项目8个" in page


def test_it_says_so_when_no_plan_is_loaded(signed_in, leader):
    page = signed_in(leader).get(DASHBOARD).content.decode()
    assert "尚无工作报告" in page


def test_it_picks_this_years_plan_and_offers_the_others(signed_in, leader, plan, tasks):
    old = PlanFactory(year=2022, title="2022年报告")
    client = signed_in(leader)
    assert client.get(DASHBOARD).context["plan"] == plan
    assert client.get(DASHBOARD, {"plan": old.pk}).context["plan"] == old
    assert client.get(DASHBOARD, {"plan": "x"}).context["plan"] == plan


def _dashboard_rows(plan, department, n):
    from accounts.models import Role
    from tests.factories import UserFactory

    for i in range(n):
        area = AreaFactory(plan=plan)
        for status in (Status.OFF_TRACK, Status.ON_TRACK):
            task = TaskFactory(area=area, lead_department=DepartmentFactory(), status=status,
                               deadline=dt.date(2023, 6, 1 + i))
            task.co_departments.add(department)
        # Each entry by a different author, so the newest-progress list would show a
        # query per row if it did not fetch its authors up front.
        author = UserFactory(role=Role.MEMBER, department=department)
        progress_entry_create(task=task, author=author, progress_text=f"进展{i}")
        IndicatorFactory(plan=plan, task=None)


def test_dashboard_runs_the_same_queries_for_3n_rows_as_for_n(signed_in, member, department,
                                                              today):
    client = signed_in(member)
    small, large = PlanFactory(year=2023), PlanFactory(year=2023)
    _dashboard_rows(small, department, 3)
    _dashboard_rows(large, department, 9)
    for scope in ("department", "all"):
        queries = count_queries(client, DASHBOARD, data={"plan": small.pk, "scope": scope})
        assert queries == count_queries(client, DASHBOARD,
                                        data={"plan": large.pk, "scope": scope})
        assert queries <= 20


# ---------------------------------------------------------------- my tasks

@pytest.mark.parametrize(("today", "start", "cutoff"), [
    (dt.date(2023, 6, 15), dt.date(2023, 6, 1), dt.date(2023, 6, 25)),
    (dt.date(2023, 6, 25), dt.date(2023, 6, 1), dt.date(2023, 6, 25)),
    (dt.date(2023, 6, 26), dt.date(2023, 6, 1), dt.date(2023, 6, 25)),
    (dt.date(2023, 2, 10), dt.date(2023, 2, 1), dt.date(2023, 2, 25)),
])
def test_it_knows_the_reporting_cycle(today, start, cutoff):
    cycle = reporting_cycle(today, cutoff_day=25)
    assert (cycle.start, cycle.cutoff) == (start, cutoff)
    assert cycle.is_late(today) == (today > cutoff)


def test_its_cycle_is_the_one_the_reminders_use():
    from tracker.rules.reminders import ReminderRule, UpdateCycle

    cycle = reporting_cycle(dt.date(2023, 6, 15), cutoff_day=25)
    assert UpdateCycle(ReminderRule.UPDATE_DUE, cycle.cutoff).starts_on == cycle.start


def test_it_reads_the_cutoff_day_from_settings(settings):
    settings.TRACKER_REPORTING_CUTOFF_DAY = 10
    assert reporting_cycle(dt.date(2023, 6, 15)).cutoff == dt.date(2023, 6, 10)


def test_my_tasks_groups_mine_by_status_and_marks_those_owing_an_update(
        signed_in, member, department, other_department, area, today):
    reported = TaskFactory(area=area, code="A1.1", lead_department=department,
                           status=Status.ON_TRACK)
    owing = TaskFactory(area=area, code="A1.2", lead_department=other_department,
                        status=Status.OFF_TRACK)
    owing.co_departments.add(department)
    mine_by_name = TaskFactory(area=area, code="A1.3", lead_department=other_department,
                               responsible=member, status=Status.DONE)
    TaskFactory(area=area, code="A1.4", lead_department=other_department)  # not mine
    progress_entry_create(task=reported, author=member, percent=50, progress_text="按期推进")
    reported.refresh_from_db()

    response = signed_in(member).get(MY)
    groups = {g["status"]: [t.code for t in g["tasks"]] for g in response.context["groups"]}
    assert sorted(code for codes in groups.values() for code in codes) == ["A1.1", "A1.2", "A1.3"]
    assert groups[Status.OFF_TRACK] == ["A1.2"]
    assert groups[mine_by_name.status] == ["A1.3"]
    flags = {t.code: t.needs_update for g in response.context["groups"] for t in g["tasks"]}
    assert flags == {"A1.1": False, "A1.2": True, "A1.3": False}  # done owes nothing
    assert "本期待报送" in response.content.decode()


def test_my_tasks_counts_last_months_entry_as_not_this_cycles(signed_in, member, department,
                                                              area, today):
    task = TaskFactory(area=area, lead_department=department)
    progress_entry_create(task=task, author=member, percent=20, progress_text="五月进展",
                          reported_on=dt.date(2023, 5, 30))
    response = signed_in(member).get(MY)
    assert [t.needs_update for g in response.context["groups"] for t in g["tasks"]] == [True]


def test_my_tasks_runs_the_same_queries_for_3n_rows_as_for_n(signed_in, member, department,
                                                             today):
    client = signed_in(member)
    small, large = PlanFactory(year=2023), PlanFactory(year=2023)
    for plan, n in ((small, 3), (large, 9)):
        area = AreaFactory(plan=plan)
        for _ in range(n):
            task = TaskFactory(area=area, lead_department=department)
            task.co_departments.add(DepartmentFactory())
    queries = count_queries(client, MY, data={"plan": small.pk})
    assert queries == count_queries(client, MY, data={"plan": large.pk})
    assert queries <= 8
