"""督查室 creates and changes tasks, indicators and assignments, and overrides statuses;
every change is in the history with the person who made it."""

import datetime as dt

import pytest

from tests.factories import IndicatorFactory, TaskFactory, UserFactory
from tracker.choices import Status, TaskKind
from tracker.models import Indicator, StatusOverride, Task

pytestmark = pytest.mark.django_db
TASKS = "/api/v1/tasks/"


@pytest.fixture(autouse=True)
def _midyear(time_machine):
    time_machine.move_to(dt.datetime(2023, 6, 30, 10, tzinfo=dt.UTC), tick=False)


@pytest.fixture
def staff(client_for, supervisor):
    return client_for(supervisor)


def test_a_supervisor_creates_a_key_task_and_a_measure(staff, supervisor, area, department):
    response = staff.post(TASKS, {
        "plan": area.plan_id, "area": area.pk, "title": "实施城市更新行动",
        "start_date": "2023-01-01", "deadline": "2023-12-31",
        "lead_department": department.pk}, format="json")
    assert response.status_code == 201, response.json()
    key = Task.objects.get(pk=response.json()["id"])
    assert key.kind == TaskKind.KEY_TASK
    assert key.history.latest().history_user == supervisor

    response = staff.post(TASKS, {
        "plan": area.plan_id, "area": area.pk, "parent": key.pk, "code": "M-1",
        "title": "改造老旧小区 30 个", "start_date": "2023-01-01", "deadline": "2023-10-31"},
        format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["kind"] == "measure"
    assert staff.get(f"{TASKS}{key.pk}/").json()["measures"][0]["code"] == "M-1"


def test_it_refuses_a_task_whose_deadline_precedes_its_start(staff, area):
    response = staff.post(TASKS, {
        "plan": area.plan_id, "area": area.pk, "title": "任务", "start_date": "2023-06-01",
        "deadline": "2023-05-01"}, format="json")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["deadline"]
    assert not Task.objects.exists()


def test_it_refuses_an_area_of_another_plan(staff, area):
    other = TaskFactory()
    response = staff.post(TASKS, {
        "plan": area.plan_id, "area": other.area_id, "title": "任务",
        "start_date": "2023-01-01", "deadline": "2023-12-31"}, format="json")
    assert response.status_code == 400
    assert "area" in response.json()["errors"]


def test_a_supervisor_updates_a_task_and_the_history_names_them(staff, supervisor, area):
    task = TaskFactory(area=area)
    response = staff.patch(f"{TASKS}{task.pk}/", {"title": "新标题",
                                                  "deadline": "2023-09-30"}, format="json")
    assert response.status_code == 200, response.json()
    task.refresh_from_db()
    assert (task.title, task.deadline) == ("新标题", dt.date(2023, 9, 30))
    assert task.history.latest().history_user == supervisor


def test_a_full_put_is_not_offered(staff, area):
    task = TaskFactory(area=area)
    assert staff.put(f"{TASKS}{task.pk}/", {"title": "x"}, format="json").status_code == 405


def test_a_supervisor_assigns_owners_and_confirms_the_default(staff, supervisor, area,
                                                             department, other_department,
                                                             member):
    task = TaskFactory(area=area, assignment_is_default=True)
    response = staff.post(f"{TASKS}{task.pk}/assign/", {
        "lead_department": department.pk, "co_departments": [other_department.pk],
        "responsible": member.pk}, format="json")
    assert response.status_code == 200, response.json()
    task.refresh_from_db()
    assert task.lead_department == department
    assert list(task.co_departments.all()) == [other_department]
    assert task.responsible == member
    assert task.assignment_is_default is False
    assert task.history.latest().history_user == supervisor


def test_a_department_head_names_the_responsible_person_but_not_departments(
        client_for, department_head, member, area, department, other_department):
    task = TaskFactory(area=area, lead_department=department)
    client = client_for(department_head)
    ok = client.post(f"{TASKS}{task.pk}/assign/", {"responsible": member.pk}, format="json")
    assert ok.status_code == 200
    refused = client.post(f"{TASKS}{task.pk}/assign/",
                          {"lead_department": other_department.pk}, format="json")
    assert refused.status_code == 403
    task.refresh_from_db()
    assert task.lead_department == department


def test_assigning_an_unknown_person_names_the_field(staff, area):
    task = TaskFactory(area=area)
    response = staff.post(f"{TASKS}{task.pk}/assign/", {"responsible": 987654},
                          format="json")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["responsible"]


def test_a_supervisor_overrides_a_status_with_a_reason(staff, supervisor, area):
    task = TaskFactory(area=area)
    response = staff.post(f"{TASKS}{task.pk}/override-status/",
                          {"status": "at_risk", "reason": "资金未到位"}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == Status.AT_RISK
    record = StatusOverride.objects.get()
    assert (record.actor, record.reason) == (supervisor, "资金未到位")


def test_an_override_without_a_reason_is_refused(staff, area):
    task = TaskFactory(area=area)
    response = staff.post(f"{TASKS}{task.pk}/override-status/",
                          {"status": "at_risk", "reason": ""}, format="json")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["reason"]
    assert not StatusOverride.objects.exists()


def test_a_supervisor_creates_and_updates_an_indicator(staff, supervisor, plan):
    response = staff.post("/api/v1/indicators/", {
        "plan": plan.pk, "code": "GDP", "name": "地区生产总值增长", "unit": "%",
        "comparator": "approx", "target_value": "6", "due_date": "2023-12-31"},
        format="json")
    assert response.status_code == 201, response.json()
    indicator = Indicator.objects.get()
    assert indicator.is_headline
    response = staff.patch(f"/api/v1/indicators/{indicator.pk}/", {"target_value": "6.5"},
                           format="json")
    assert response.status_code == 200
    assert response.json()["target_value"] == "6.5000"
    assert indicator.history.latest().history_user == supervisor


def test_a_quantified_indicator_needs_a_target(staff, plan):
    response = staff.post("/api/v1/indicators/", {
        "plan": plan.pk, "code": "X", "name": "新增就业", "comparator": "gte",
        "due_date": "2023-12-31"}, format="json")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["target_value"]


def test_a_supervisor_records_a_headline_reading_and_a_member_cannot(
        staff, client_for, member, plan):
    gdp = IndicatorFactory(task=None, plan=plan, code="GDP")
    url = f"/api/v1/indicators/{gdp.pk}/readings/"
    assert client_for(member).post(url, {"value": "5.1"}, format="json").status_code == 403
    response = staff.post(url, {"value": "5.9", "measured_on": "2023-06-30"}, format="json")
    assert response.status_code == 201, response.json()
    gdp.refresh_from_db()
    assert str(gdp.latest_actual) == "5.9000"
    detail = staff.get(f"/api/v1/indicators/{gdp.pk}/").json()
    assert [r["value"] for r in detail["readings"]] == ["5.9000"]


def test_members_cannot_create_tasks(client_for, member, area):
    response = client_for(member).post(TASKS, {
        "plan": area.plan_id, "area": area.pk, "title": "任务", "start_date": "2023-01-01",
        "deadline": "2023-12-31"}, format="json")
    assert response.status_code == 403
    assert not Task.objects.exists()


def test_an_inactive_responsible_person_is_refused(staff, area):
    gone = UserFactory(is_active=False)
    task = TaskFactory(area=area)
    response = staff.post(f"{TASKS}{task.pk}/assign/", {"responsible": gone.pk},
                          format="json")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["responsible"]
