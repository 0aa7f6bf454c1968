"""Role × endpoint × method: every endpoint answers each kind of caller as the rules say.

Roles: anonymous (no credentials), a member and the head of the task's lead department,
a member of another department (outsider), a leader, a supervisor, and a supervisor's
read-only token.
"""

import datetime as dt

import pytest
from rest_framework.test import APIClient

from tests.factories import IndicatorFactory, MeasureFactory, MilestoneFactory, TaskFactory
from tracker.models import Reminder
from tracker.services.progress import progress_entry_create

pytestmark = pytest.mark.django_db
ROLES = ["anonymous", "member", "department_head", "outsider", "leader", "supervisor",
         "read_only"]
EVERYONE_READS = {"anonymous": 401} | {role: 200 for role in ROLES[1:]}
SUPERVISOR_ONLY = {"anonymous": 401, "member": 403, "department_head": 403, "outsider": 403,
                   "leader": 403, "read_only": 403}
REPORTERS = {"anonymous": 401, "member": 201, "department_head": 201, "outsider": 403,
             "leader": 403, "supervisor": 201, "read_only": 403}
NEVER = {"anonymous": 401, "read_only": 403} | {
    role: 405 for role in ["member", "department_head", "outsider", "leader", "supervisor"]}

# (method, url, body, expected status per role)
MATRIX = [
    *[("get", url, None, EVERYONE_READS) for url in [
        "/api/v1/plans/", "/api/v1/plans/{plan}/", "/api/v1/plans/{plan}/dashboard/",
        "/api/v1/areas/", "/api/v1/areas/{area}/", "/api/v1/tasks/", "/api/v1/tasks/{task}/",
        "/api/v1/indicators/", "/api/v1/indicators/{indicator}/",
        "/api/v1/progress-entries/", "/api/v1/progress-entries/{entry}/",
        "/api/v1/milestones/", "/api/v1/milestones/{milestone}/",
        "/api/v1/departments/", "/api/v1/departments/{department}/",
        "/api/v1/users/", "/api/v1/users/{user}/", "/api/v1/me/"]],
    ("post", "/api/v1/tasks/", "new_task", SUPERVISOR_ONLY | {"supervisor": 201}),
    ("patch", "/api/v1/tasks/{task}/", {"title": "新标题"}, SUPERVISOR_ONLY | {"supervisor": 200}),
    ("put", "/api/v1/tasks/{task}/", {"title": "新标题"}, SUPERVISOR_ONLY | {"supervisor": 405}),
    ("delete", "/api/v1/tasks/{task}/", None, SUPERVISOR_ONLY | {"supervisor": 405}),
    ("post", "/api/v1/tasks/{task}/assign/", "responsible",
     SUPERVISOR_ONLY | {"department_head": 200, "supervisor": 200}),
    ("post", "/api/v1/tasks/{task}/assign/", "lead_department",
     SUPERVISOR_ONLY | {"supervisor": 200}),
    ("post", "/api/v1/tasks/{task}/override-status/", {"status": "at_risk", "reason": "核实"},
     SUPERVISOR_ONLY | {"supervisor": 200}),
    ("post", "/api/v1/indicators/", "new_indicator", SUPERVISOR_ONLY | {"supervisor": 201}),
    ("patch", "/api/v1/indicators/{indicator}/", {"unit": "个"},
     SUPERVISOR_ONLY | {"supervisor": 200}),
    ("delete", "/api/v1/indicators/{indicator}/", None, SUPERVISOR_ONLY | {"supervisor": 405}),
    ("post", "/api/v1/indicators/{indicator}/readings/", {"value": "3"}, REPORTERS),
    ("post", "/api/v1/indicators/{headline}/readings/", {"value": "6"},
     SUPERVISOR_ONLY | {"supervisor": 201}),
    ("post", "/api/v1/progress-entries/", "new_entry", REPORTERS),
    ("put", "/api/v1/progress-entries/{entry}/", {"percent": 90}, NEVER),
    ("patch", "/api/v1/progress-entries/{entry}/", {"percent": 90}, NEVER),
    ("delete", "/api/v1/progress-entries/{entry}/", None, NEVER),
    *[("get", url, None, SUPERVISOR_ONLY | {"supervisor": 200, "read_only": 200})
      for url in ["/api/v1/reminders/", "/api/v1/reminders/{reminder}/"]],
    ("post", "/api/v1/reminders/", {}, SUPERVISOR_ONLY | {"supervisor": 405}),
    ("delete", "/api/v1/reminders/{reminder}/", None, SUPERVISOR_ONLY | {"supervisor": 405}),
    *[(method, url, {}, NEVER) for method in ["post", "delete"] for url in [
        "/api/v1/plans/", "/api/v1/areas/", "/api/v1/milestones/", "/api/v1/departments/",
        "/api/v1/users/", "/api/v1/me/"] if (method, url) != ("delete", "/api/v1/plans/")],
]


@pytest.fixture
def world(supervisor, department_head, member, outsider, leader, department, area):
    task = TaskFactory(area=area, lead_department=department)
    measure = MeasureFactory(parent=task)
    return {
        "plan": area.plan_id, "area": area.pk, "task": task.pk, "measure": measure.pk,
        "department": department.pk, "user": member.pk,
        "indicator": IndicatorFactory(task=measure).pk,
        "headline": IndicatorFactory(task=None, plan=area.plan, code="GDP").pk,
        "milestone": MilestoneFactory(task=task).pk,
        "entry": progress_entry_create(task=measure, author=member, percent=10).pk,
        "reminder": Reminder.objects.create(
            task=task, recipient=member, rule="due_soon", occurrence=dt.date(2023, 7, 1),
            role="responsible", day=dt.date(2023, 6, 24)).pk,
        "users": {"member": member, "department_head": department_head,
                  "outsider": outsider, "leader": leader, "supervisor": supervisor,
                  "read_only": supervisor},
    }


def _body(body, world):
    if body == "new_task":
        return {"plan": world["plan"], "area": world["area"], "title": "新任务",
                "start_date": "2023-01-01", "deadline": "2023-12-31"}
    if body == "new_indicator":
        return {"plan": world["plan"], "code": "NEW", "name": "新指标", "target_value": "1",
                "due_date": "2023-12-31"}
    if body == "new_entry":
        return {"task": world["measure"], "percent": 20, "progress_text": "推进中"}
    if body == "responsible":
        return {"responsible": world["user"]}
    if body == "lead_department":
        return {"lead_department": world["department"]}
    return body


CASES = [(method, url, body, role, expected[role])
         for method, url, body, expected in MATRIX for role in ROLES]


@pytest.mark.parametrize(("method", "url", "body", "role", "expected"), CASES,
                         ids=[f"{m.upper()} {u} as {r}" for m, u, _, r, _ in CASES])
def test_the_endpoint_answers_the_role_as_the_rules_say(client_for, world, time_machine,
                                                        method, url, body, role, expected):
    time_machine.move_to(dt.datetime(2023, 6, 30, 10, tzinfo=dt.UTC), tick=False)
    if role == "anonymous":
        client = APIClient()
    else:
        client = client_for(world["users"][role], read_only=role == "read_only")
    path = url.format(**{k: v for k, v in world.items() if k != "users"})
    response = getattr(client, method)(path, _body(body, world), format="json")
    assert response.status_code == expected, response.content
