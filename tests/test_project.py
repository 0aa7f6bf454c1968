"""The project stays loadable: migrations match models, fixtures and seeds load."""

import io

import pytest
from django.core.management import call_command

from accounts.models import Department, User
from tracker.models import Plan, ProgressEntry, Task


@pytest.mark.django_db
def test_it_has_a_migration_for_every_model_change():
    out = io.StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)


@pytest.mark.django_db
def test_it_loads_the_fixtures_and_seed_as_make_run_does(capsys):
    call_command("load_departments")
    call_command("seed_report")
    call_command("seed_report", "--rebase-year", "2026")
    call_command("load_demo", "--year", "2026")
    out = capsys.readouterr().out
    usual = ["发改局", "财政局", "科技局", "商务局", "住建局", "人社局", "教育局", "卫健局",
             "民政局", "文旅局", "城管局", "应急局", "市场监管局", "司法局", "金融局"]
    assert Department.objects.filter(short_name__in=usual).count() == len(usual)
    assert set(User.objects.values_list("role", flat=True)) == {
        "supervisor", "department_head", "member", "leader"}
    assert "shahekou-demo-2023" in out and "duchashi" in out
    demo = ProgressEntry.objects.filter(is_demo=True)
    assert demo.exists()
    assert not demo.filter(task__plan__year=2023).exists()  # demo never in the real plan
    from tracker.models import Indicator

    gdp = Indicator.objects.get(plan__year=2026, code="T01")
    assert gdp.latest_actual is not None and gdp.readings.filter(is_demo=True).count() == 3
    assert not Indicator.objects.filter(plan__year=2023).exclude(latest_actual=None).exists()
    # Every task led by a department with demo staff has a demo responsible person.
    staffed = User.objects.exclude(department=None).values("department")
    assert not Task.objects.filter(plan__year=2026, responsible=None,
                                   lead_department__in=staffed).exists()
    assert Task.objects.filter(plan__year=2026, leader__role="leader").count() == 56
    # Loading again adds nothing.
    call_command("load_demo", "--year", "2026")
    assert ProgressEntry.objects.filter(is_demo=True).count() == demo.count()
    assert Plan.objects.count() == 2


@pytest.mark.django_db
def test_it_says_plainly_when_the_demo_year_has_no_plan():
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="No plan for 2031"):
        call_command("load_demo", "--year", "2031")
