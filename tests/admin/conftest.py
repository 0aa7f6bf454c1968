"""A small plan for the admin tests: tasks of the head's department, of a department
it co-leads, and of someone else entirely."""

import datetime as dt

import pytest
from django.test import Client

from tests.factories import AreaFactory, IndicatorFactory, MilestoneFactory, TaskFactory
from tracker.services.progress import progress_entry_create
from tracker.services.status import task_status_override

MID_YEAR = dt.datetime(2023, 7, 2, 10, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _midyear(time_machine):
    time_machine.move_to(MID_YEAR)


@pytest.fixture
def area(db):
    return AreaFactory(code="A1", title="抓项目强产业")


@pytest.fixture
def own_task(area, department, department_head):
    return TaskFactory(area=area, code="A1.1", title="狠抓项目扩大投资",
                       text="规划实施亿元以上重点项目40个", lead_department=department)


@pytest.fixture
def co_task(area, department, other_department):
    task = TaskFactory(area=area, code="A1.2", title="提升金融产业能级",
                       text="引进金融机构区域总部", lead_department=other_department)
    task.co_departments.add(department)
    return task


@pytest.fixture
def foreign_task(area, other_department):
    return TaskFactory(area=area, code="A6.2", title="优化一老一小服务",
                       text="新增公办幼儿园", lead_department=other_department)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def as_supervisor(supervisor):
    return signed_in(supervisor)


@pytest.fixture
def as_head(department_head):
    return signed_in(department_head)


@pytest.fixture
def make_tasks(area, department, other_department, supervisor, department_head, member,
               leader):
    """make_tasks(n): n groups of tasks with everything a list row can show: owners,
    co-departments, an override, an indicator, a milestone and progress."""

    def make(n: int) -> None:
        for _ in range(n):
            own = TaskFactory(area=area, lead_department=department, responsible=member,
                              leader=leader)
            own.co_departments.add(other_department)
            IndicatorFactory(task=own)
            MilestoneFactory(task=own)
            progress_entry_create(task=own, author=member, percent=30, progress_text="推进中")
            task_status_override(task=own, actor_user=supervisor, status="at_risk",
                                 reason="用地手续未完成")
            co = TaskFactory(area=area, lead_department=other_department, leader=leader)
            co.co_departments.add(department)
            TaskFactory(area=area, lead_department=other_department, responsible=None)

    return make
