"""The fast read path renders exactly what DRF's ModelSerializer would."""

import datetime as dt

import pytest
from rest_framework import serializers as drf

from tests.factories import IndicatorFactory, MeasureFactory, MilestoneFactory, TaskFactory
from tracker.api import serializers as s
from tracker.api.views import ProgressEntryViewSet, attach_task_ids, task_queryset
from tracker.choices import Status
from tracker.models import Indicator, Milestone
from tracker.services.progress import progress_entry_create
from tracker.services.status import task_status_override

pytestmark = pytest.mark.django_db


def _both(serializer_class, instance):
    serializer = serializer_class(instance)
    return serializer.data, drf.ModelSerializer.to_representation(serializer, instance)


def test_tasks_render_the_same_on_the_fast_path(supervisor, member, department,
                                                other_department, time_machine):
    time_machine.move_to(dt.datetime(2023, 6, 30, 10, tzinfo=dt.UTC), tick=False)
    key = TaskFactory(lead_department=department, responsible=member, weight="2.50",
                      source_quote="狠抓项目扩大投资。", source_start=3, source_end=12)
    key.co_departments.add(other_department)
    MeasureFactory(parent=key)
    task_status_override(task=key, actor_user=supervisor, status=Status.AT_RISK, reason="核实")
    progress_entry_create(task=key, author=member, percent=35)
    task = attach_task_ids([task_queryset(detail=False).get(pk=key.pk)])[0]
    fast, reference = _both(s.TaskSerializer, task)
    assert fast == reference
    assert fast["status_override_at"] and fast["weight"] == "2.50"
    assert fast["co_departments"] == [other_department.pk] and len(fast["measures"]) == 1


def test_other_resources_render_the_same_on_the_fast_path(member, department, time_machine):
    time_machine.move_to(dt.datetime(2023, 6, 30, 10, tzinfo=dt.UTC), tick=False)
    measure = MeasureFactory(parent__lead_department=department)
    IndicatorFactory(task=measure, baseline="1.2", baseline_year=2022)
    MilestoneFactory(task=measure, completed_on=dt.date(2023, 3, 1))
    progress_entry_create(task=measure, author=member, percent=10, actual_value=3)
    cases = [
        (s.IndicatorSerializer, Indicator.objects.get()),
        (s.MilestoneSerializer, Milestone.objects.get()),
        (s.ProgressEntrySerializer, ProgressEntryViewSet().get_queryset().get()),
        (s.UserSerializer, member),
        (s.DepartmentSerializer, department),
        (s.PlanSerializer, measure.plan),
        (s.AreaSerializer, measure.area),
    ]
    for serializer_class, instance in cases:
        fast, reference = _both(serializer_class, instance)
        assert fast == reference, serializer_class.__name__


def test_the_dashboard_renders_as_its_serializer_says(supervisor, member, department, plan,
                                                       time_machine):
    from django.utils import timezone

    from tests.factories import AreaFactory
    from tracker.selectors import plan_dashboard

    time_machine.move_to(dt.datetime(2023, 6, 30, 10, tzinfo=dt.UTC), tick=False)
    area = AreaFactory(plan=plan)
    late = TaskFactory(area=area, lead_department=department, deadline=dt.date(2023, 6, 1))
    TaskFactory(area=area, lead_department=department, deadline=dt.date(2023, 7, 3))
    progress_entry_create(task=late, author=member, percent=40)
    IndicatorFactory(task=None, plan=plan, code="GDP", latest_actual="5.5")
    data = plan_dashboard(plan=plan, today=timezone.localdate())
    rendered = s.dashboard_representation(data)
    assert rendered == s.DashboardSerializer(data).data
    assert rendered["overdue"][0]["id"] == late.pk and rendered["due_soon"]
