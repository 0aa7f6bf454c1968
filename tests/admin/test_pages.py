"""Every admin page renders for the roles that may use the admin, each change list in a
number of queries that does not grow with its rows, and nobody else gets in."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Department, User
from tests.admin.conftest import signed_in
from tests.factories import AreaFactory, DepartmentFactory, PlanFactory, TaskFactory, UserFactory
from tracker.models import (
    Area,
    Evidence,
    Indicator,
    IndicatorReading,
    Milestone,
    Plan,
    ProgressEntry,
    StatusOverride,
    Task,
)
from tracker.services.progress import progress_entry_create

pytestmark = pytest.mark.django_db

def _xlsx() -> bytes:
    """A real, empty workbook: evidence files are checked by their content."""
    from io import BytesIO

    from openpyxl import Workbook

    buffer = BytesIO()
    Workbook().save(buffer)
    return buffer.getvalue()


MODELS = [Plan, Area, Task, Indicator, Milestone, ProgressEntry, Evidence, IndicatorReading,
          StatusOverride, User, Department]


def admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}",
                   args=args)


@pytest.fixture
def make_records(make_tasks, department, member):
    """make_records(n): n of every kind of record the admin lists."""

    def make(n: int) -> None:
        make_tasks(n)
        for _ in range(n):
            plan = PlanFactory()
            area = AreaFactory(plan=plan)
            task = TaskFactory(area=area, lead_department=department)
            indicator = Indicator.objects.create(plan=plan, task=task, code=f"X{task.pk}",
                                                 name="新增就业", unit="万人",
                                                 target_value=Decimal("1.76"),
                                                 due_date=task.deadline)
            progress_entry_create(
                task=task, author=member, percent=40, progress_text="推进中",
                indicator=indicator, actual_value=Decimal("0.8"),
                evidence_files=[SimpleUploadedFile("台账.xlsx", _xlsx(), "application/zip")])
            UserFactory(department=DepartmentFactory())
            UserFactory(department=department)

    return make


def count_queries(client, url: str) -> tuple[int, int]:
    from django.db import connection

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries), len(response.context["cl"].result_list)


@pytest.mark.parametrize("role", ["supervisor", "department_head"])
@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.model_name)
def test_it_runs_every_change_list_in_the_same_number_of_queries_for_n_and_3n_rows(
        role, model, request, make_records):
    client = signed_in(request.getfixturevalue(role))
    url = admin_url(model, "changelist")
    make_records(1)
    client.get(url)  # warm process-wide caches (content types)
    queries_n, rows_n = count_queries(client, url)
    make_records(2)
    queries_3n, rows_3n = count_queries(client, url)
    assert rows_3n > rows_n > 0
    assert queries_3n == queries_n


@pytest.mark.parametrize("role", ["supervisor", "department_head"])
@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.model_name)
def test_it_renders_every_change_page_for_supervisors_and_department_heads(
        role, model, request, make_records, department_head):
    client = signed_in(request.getfixturevalue(role))
    make_records(1)
    # A row of the head's own list, so both roles may open it.
    obj = signed_in(department_head).get(admin_url(model, "changelist")).context[
        "cl"].result_list[0]
    response = client.get(admin_url(model, "change", obj.pk))
    assert response.status_code == 200


ADDABLE_BY_SUPERVISOR = [Plan, Area, Task, Indicator, Milestone, IndicatorReading, User,
                         Department]


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.model_name)
def test_it_offers_add_pages_to_supervisors_only(model, as_supervisor, as_head):
    expected = 200 if model in ADDABLE_BY_SUPERVISOR else 403
    assert as_supervisor.get(admin_url(model, "add")).status_code == expected
    assert as_head.get(admin_url(model, "add")).status_code == 403


@pytest.mark.parametrize("model", [Plan, Area, Indicator, User, Department],
                         ids=lambda m: m._meta.model_name)
def test_it_shows_department_heads_reference_data_read_only(model, as_head, make_records):
    make_records(1)
    obj = as_head.get(admin_url(model, "changelist")).context["cl"].result_list[0]
    response = as_head.get(admin_url(model, "change", obj.pk))
    assert response.status_code == 200 and not response.context["has_change_permission"]
    assert as_head.post(admin_url(model, "change", obj.pk), {}).status_code == 403
    assert as_head.post(admin_url(model, "delete", obj.pk), {"post": "yes"}).status_code == 403


def test_it_shows_a_department_head_only_their_own_people(as_head, department_head, member,
                                                         outsider):
    listed = set(as_head.get(admin_url(User, "changelist")).context["cl"].result_list)
    assert listed == {department_head, member}


def test_it_lists_the_admin_for_each_role_on_the_index(as_supervisor, as_head, member,
                                                       leader):
    for client in (as_supervisor, as_head):
        apps = {app["app_label"] for app in client.get(reverse("admin:index")).context[
            "app_list"]}
        assert {"tracker", "accounts"} <= apps
    for user in (member, leader):
        response = signed_in(user).get(reverse("admin:index"))
        assert response.status_code == 302 and "/login/" in response.url


def test_it_adds_a_headline_reading_through_the_service(as_supervisor, supervisor, area):
    indicator = Indicator.objects.create(plan=area.plan, code="G1", name="地区生产总值增长",
                                         unit="%", target_value=Decimal("6"),
                                         due_date="2023-12-31")
    response = as_supervisor.post(admin_url(IndicatorReading, "add"), {
        "indicator": indicator.pk, "measured_on": "2023-06-30", "value": "5.8", "note": "上半年"})
    assert response.status_code == 302
    reading = IndicatorReading.objects.get()
    assert reading.author == supervisor
    indicator.refresh_from_db()
    assert indicator.latest_actual == Decimal("5.8")


def test_it_keeps_plan_text_and_source_offsets_read_only_for_supervisors(as_supervisor, area):
    plan_form = as_supervisor.get(admin_url(Plan, "change", area.plan_id)).context[
        "adminform"].form
    area_form = as_supervisor.get(admin_url(Area, "change", area.pk)).context["adminform"].form
    assert "source_text" not in plan_form.fields
    assert not {"source_quote", "source_start", "source_end"} & set(area_form.fields)
