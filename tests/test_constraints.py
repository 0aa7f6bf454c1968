"""Every invariant is a database constraint: the database refuses what services would.

Marked postgres: they run on SQLite in the main pass and again on PostgreSQL.
"""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from accounts.models import Role
from tests.factories import (
    AreaFactory,
    IndicatorFactory,
    MilestoneFactory,
    PlanFactory,
    TaskFactory,
    UserFactory,
)
from tracker.choices import Comparator, Status, TaskKind
from tracker.models import ProgressEntry, StatusOverride

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def refuses(factory, **kwargs):
    with pytest.raises(IntegrityError), transaction.atomic():
        factory(**kwargs)


def test_it_refuses_two_plans_for_the_same_region_and_year():
    PlanFactory(region="沙河口区", year=2023)
    refuses(PlanFactory, region="沙河口区", year=2023)


def test_it_refuses_an_implausible_plan_year():
    refuses(PlanFactory, year=1023)


def test_it_refuses_two_areas_with_the_same_order_in_a_plan():
    area = AreaFactory(order=1)
    refuses(AreaFactory, plan=area.plan, order=1, code="X")


def test_it_refuses_two_tasks_with_the_same_code_or_position_in_a_plan():
    task = TaskFactory(code="A1.1", position=1)
    refuses(TaskFactory, area=task.area, code="A1.1", position=2)
    refuses(TaskFactory, area=task.area, code="A1.2", position=1)


def test_it_refuses_a_percent_outside_0_to_100():
    refuses(TaskFactory, percent=101)
    task = TaskFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        ProgressEntry.objects.create(task=task, author=UserFactory(), reported_on=dt.date.today(),
                                     percent=120)


def test_it_refuses_a_measure_without_a_key_task_and_a_key_task_with_a_parent():
    refuses(TaskFactory, kind=TaskKind.MEASURE)
    parent = TaskFactory()
    refuses(TaskFactory, area=parent.area, parent=parent, kind=TaskKind.KEY_TASK)


def test_it_refuses_a_deadline_before_the_start():
    refuses(TaskFactory, start_date=dt.date(2023, 6, 1), deadline=dt.date(2023, 5, 1))


def test_it_refuses_a_status_override_without_a_reason():
    refuses(TaskFactory, status_override=Status.DONE, status_override_reason="")
    task = TaskFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        StatusOverride.objects.create(task=task, status=Status.DONE, reason="",
                                      actor=UserFactory())


def test_it_refuses_an_unknown_status_and_a_non_positive_weight():
    refuses(TaskFactory, status="purple")
    refuses(TaskFactory, weight=0)


def test_it_refuses_a_quantified_indicator_without_a_target():
    refuses(IndicatorFactory, comparator=Comparator.GTE, target_value=None)
    IndicatorFactory(comparator=Comparator.IN_STEP, target_value=None)  # qualitative: fine


def test_it_refuses_a_baseline_without_its_year():
    refuses(IndicatorFactory, baseline=5.2, baseline_year=None)


def test_it_refuses_an_inverted_source_span():
    refuses(TaskFactory, source_quote="x", source_start=10, source_end=5)


def test_it_refuses_two_milestones_with_the_same_order_in_a_task():
    milestone = MilestoneFactory(order=1)
    refuses(MilestoneFactory, task=milestone.task, order=1)


def test_it_refuses_department_staff_without_a_department():
    refuses(UserFactory, role=Role.MEMBER, department=None)
    UserFactory(role=Role.LEADER, department=None)
