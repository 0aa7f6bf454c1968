"""One test per filter: each narrows the list to exactly the rows it names."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.factories import (
    AreaFactory,
    IndicatorFactory,
    MeasureFactory,
    MilestoneFactory,
    PlanFactory,
    TaskFactory,
)
from tracker.choices import Status

pytestmark = pytest.mark.django_db
TASKS = "/api/v1/tasks/"


@pytest.fixture(autouse=True)
def _midyear(time_machine):
    time_machine.move_to(dt.datetime(2023, 6, 30, 10, tzinfo=dt.UTC), tick=False)


@pytest.fixture
def reader(client_for, member):
    return client_for(member)


def _ids(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.json()
    return {row["id"] for row in response.json()["results"]}


def test_it_filters_tasks_by_plan(reader, area):
    mine = TaskFactory(area=area)
    TaskFactory()
    assert _ids(reader, f"{TASKS}?plan={area.plan_id}") == {mine.pk}


def test_it_filters_tasks_by_area(reader, area):
    mine = TaskFactory(area=area)
    TaskFactory(area=AreaFactory(plan=area.plan))
    assert _ids(reader, f"{TASKS}?area={area.pk}") == {mine.pk}


def test_it_filters_tasks_by_department_as_lead_or_co_department(reader, area, department,
                                                                other_department):
    led = TaskFactory(area=area, lead_department=department)
    co = TaskFactory(area=area, lead_department=other_department)
    co.co_departments.add(department)
    TaskFactory(area=area, lead_department=other_department)
    assert _ids(reader, f"{TASKS}?department={department.pk}") == {led.pk, co.pk}


def test_it_lists_a_task_once_whatever_its_co_departments(reader, area, department,
                                                          other_department):
    task = TaskFactory(area=area, lead_department=department)
    task.co_departments.add(other_department)
    rows = reader.get(f"{TASKS}?department={department.pk}").json()["results"]
    assert [row["id"] for row in rows] == [task.pk]


def test_it_filters_tasks_by_lead_department(reader, area, department):
    led = TaskFactory(area=area, lead_department=department)
    co = TaskFactory(area=area)
    co.co_departments.add(department)
    assert _ids(reader, f"{TASKS}?lead_department={department.pk}") == {led.pk}


def test_it_filters_tasks_by_responsible_person(reader, area, member):
    mine = TaskFactory(area=area, responsible=member)
    TaskFactory(area=area)
    assert _ids(reader, f"{TASKS}?responsible={member.pk}") == {mine.pk}


def test_it_filters_tasks_by_one_or_more_statuses(reader, area):
    late = TaskFactory(area=area, status=Status.OFF_TRACK)
    risky = TaskFactory(area=area, status=Status.AT_RISK)
    TaskFactory(area=area, status=Status.ON_TRACK)
    assert _ids(reader, f"{TASKS}?status=off_track") == {late.pk}
    assert _ids(reader, f"{TASKS}?status=off_track&status=at_risk") == {late.pk, risky.pk}


def test_it_filters_tasks_that_are_overdue(reader, area):
    late = TaskFactory(area=area, deadline=dt.date(2023, 6, 1), status=Status.OFF_TRACK)
    TaskFactory(area=area, deadline=dt.date(2023, 6, 1), status=Status.DONE)
    pending = TaskFactory(area=area, deadline=dt.date(2023, 12, 31))
    assert _ids(reader, f"{TASKS}?overdue=true") == {late.pk}
    assert late.pk not in _ids(reader, f"{TASKS}?overdue=false")
    assert pending.pk in _ids(reader, f"{TASKS}?overdue=false")


def test_it_filters_tasks_due_before_and_after_a_date(reader, area):
    june = TaskFactory(area=area, deadline=dt.date(2023, 6, 30))
    march = TaskFactory(area=area, deadline=dt.date(2023, 3, 31))
    december = TaskFactory(area=area, deadline=dt.date(2023, 12, 31))
    assert _ids(reader, f"{TASKS}?due_before=2023-06-30") == {june.pk, march.pk}
    assert _ids(reader, f"{TASKS}?due_after=2023-06-30") == {june.pk, december.pk}
    assert _ids(reader, f"{TASKS}?due_after=2023-04-01&due_before=2023-07-01") == {june.pk}


def test_it_filters_tasks_by_year(reader):
    this_year = TaskFactory(area=AreaFactory(plan=PlanFactory(year=2023)))
    TaskFactory(area=AreaFactory(plan=PlanFactory(year=2024)))
    assert _ids(reader, f"{TASKS}?year=2023") == {this_year.pk}


def test_it_searches_chinese_text_in_title_text_and_code(reader, area):
    by_title = TaskFactory(area=area, title="狠抓项目扩大投资", text="")
    by_text = TaskFactory(area=area, title="其他", text="全年新增市场主体一万户")
    by_code = TaskFactory(area=area, code="XM-07", title="其他", text="")
    TaskFactory(area=area, title="优化营商环境", text="")
    assert _ids(reader, f"{TASKS}?q=扩大投资") == {by_title.pk}
    assert _ids(reader, f"{TASKS}?q=市场主体") == {by_text.pk}
    assert _ids(reader, f"{TASKS}?q=xm-07") == {by_code.pk}


@pytest.mark.postgres
def test_it_searches_chinese_text_on_postgresql(reader, area, requires_postgres):
    found = TaskFactory(area=area, title="推进老旧小区改造", text="")
    TaskFactory(area=area, title="其他", text="")
    assert _ids(reader, f"{TASKS}?q=小区改造") == {found.pk}


def test_it_lists_only_tasks_updated_since_a_moment(reader, area, time_machine):
    TaskFactory(area=area)
    time_machine.move_to(dt.datetime(2023, 7, 1, 8, tzinfo=dt.UTC), tick=False)
    changed = TaskFactory(area=area)
    since = timezone.now().isoformat()
    assert _ids(reader, f"{TASKS}?updated_since={since.replace('+', '%2B')}") == {changed.pk}


def test_it_filters_measures_of_a_key_task_and_by_kind(reader, area):
    key = TaskFactory(area=area)
    measure = MeasureFactory(parent=key)
    assert _ids(reader, f"{TASKS}?parent={key.pk}") == {measure.pk}
    assert _ids(reader, f"{TASKS}?kind=key_task") == {key.pk}


def test_it_orders_tasks_by_deadline_when_asked(reader, area):
    late = TaskFactory(area=area, deadline=dt.date(2023, 12, 31))
    early = TaskFactory(area=area, deadline=dt.date(2023, 3, 31))
    rows = reader.get(f"{TASKS}?ordering=deadline").json()["results"]
    assert [row["id"] for row in rows] == [early.pk, late.pk]
    rows = reader.get(f"{TASKS}?ordering=-deadline").json()["results"]
    assert [row["id"] for row in rows] == [late.pk, early.pk]


# ---------------------------------------------------------------- other resources

def test_it_filters_indicators_into_headline_targets_and_task_numbers(reader, plan):
    headline = IndicatorFactory(task=None, plan=plan, code="GDP")
    numeric = IndicatorFactory(task=MeasureFactory(parent__area__plan=plan))
    assert _ids(reader, "/api/v1/indicators/?headline=true") == {headline.pk}
    assert _ids(reader, "/api/v1/indicators/?headline=false") == {numeric.pk}
    assert _ids(reader, f"/api/v1/indicators/?task={numeric.task_id}") == {numeric.pk}


def test_it_filters_indicators_by_department_and_searches_their_names(reader, department):
    ours = IndicatorFactory(task=MeasureFactory(parent__lead_department=department),
                            name="新增城镇就业")
    IndicatorFactory(name="地区生产总值")
    assert _ids(reader, f"/api/v1/indicators/?department={department.pk}") == {ours.pk}
    assert _ids(reader, "/api/v1/indicators/?q=城镇就业") == {ours.pk}


def test_it_filters_progress_entries_by_task_department_and_date(client_for, member, area,
                                                                 department):
    ours = TaskFactory(area=area, lead_department=department)
    client = client_for(member)
    first = client.post("/api/v1/progress-entries/", {
        "task": ours.pk, "percent": 10, "reported_on": "2023-05-01",
        "progress_text": "完成土地征收"}, format="json").json()
    second = client.post("/api/v1/progress-entries/", {
        "task": ours.pk, "percent": 20, "reported_on": "2023-06-01"}, format="json").json()
    url = "/api/v1/progress-entries/"
    assert _ids(client, f"{url}?task={ours.pk}") == {first["id"], second["id"]}
    assert _ids(client, f"{url}?department={department.pk}") == {first["id"], second["id"]}
    assert _ids(client, f"{url}?reported_after=2023-05-15") == {second["id"]}
    assert _ids(client, f"{url}?q=土地征收") == {first["id"]}
    assert _ids(client, f"{url}?author={member.pk}&plan={area.plan_id}") == {
        first["id"], second["id"]}


def test_it_filters_milestones_that_are_overdue(reader, area):
    late = MilestoneFactory(task=TaskFactory(area=area), due_date=dt.date(2023, 3, 31))
    MilestoneFactory(task=late.task, due_date=dt.date(2023, 3, 31),
                     completed_on=dt.date(2023, 3, 30))
    MilestoneFactory(task=late.task, due_date=dt.date(2023, 9, 30))
    assert _ids(reader, "/api/v1/milestones/?overdue=true") == {late.pk}


def test_it_filters_users_by_department_and_role(reader, member, department_head, outsider):
    assert _ids(reader, f"/api/v1/users/?department={member.department_id}") == {
        member.pk, department_head.pk}
    assert _ids(reader, "/api/v1/users/?role=department_head") == {department_head.pk}


def test_it_searches_departments_by_name(reader, department, other_department):
    assert _ids(reader, "/api/v1/departments/?q=发展和改革") == {department.pk}


def test_it_filters_plans_and_areas_by_year(reader):
    plan = PlanFactory(year=2023)
    area = AreaFactory(plan=plan)
    AreaFactory(plan=PlanFactory(year=2024))
    assert _ids(reader, "/api/v1/plans/?year=2023") == {plan.pk}
    assert _ids(reader, "/api/v1/areas/?year=2023") == {area.pk}
