import datetime as dt

import factory
from factory.django import DjangoModelFactory

from accounts.models import Department, Role, User
from tracker.choices import Comparator, TaskKind
from tracker.models import Area, Indicator, Milestone, Plan, Task


class DepartmentFactory(DjangoModelFactory):
    class Meta:
        model = Department
        # Tests that also load fixtures/departments.yaml share its short names.
        django_get_or_create = ("short_name",)

    name = factory.Sequence(lambda n: f"区测试局{n}")
    short_name = factory.Sequence(lambda n: f"测试局{n}")


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Sequence(lambda n: f"用户{n}")
    role = Role.MEMBER
    department = factory.SubFactory(DepartmentFactory)
    password = factory.django.Password("pass-1234-word")


class PlanFactory(DjangoModelFactory):
    class Meta:
        model = Plan

    year = 2023
    region = factory.Sequence(lambda n: f"测试区{n}")
    title = factory.LazyAttribute(lambda o: f"{o.year}年{o.region}政府工作报告")
    source_text = "（一）抓项目。狠抓项目扩大投资。新增就业1.76万人。"


class AreaFactory(DjangoModelFactory):
    class Meta:
        model = Area

    plan = factory.SubFactory(PlanFactory)
    order = factory.Sequence(lambda n: n + 1)
    code = factory.LazyAttribute(lambda o: f"A{o.order}")
    title = factory.Sequence(lambda n: f"工作领域{n}")


class TaskFactory(DjangoModelFactory):
    class Meta:
        model = Task
        skip_postgeneration_save = True

    area = factory.SubFactory(AreaFactory)
    plan = factory.SelfAttribute("area.plan")
    kind = TaskKind.KEY_TASK
    position = factory.Sequence(lambda n: n + 1)
    code = factory.Sequence(lambda n: f"T{n + 1}")
    title = factory.Sequence(lambda n: f"重点任务{n}")
    text = "狠抓项目扩大投资。"
    start_date = factory.LazyAttribute(lambda o: dt.date(o.plan.year, 1, 1))
    deadline = factory.LazyAttribute(lambda o: dt.date(o.plan.year, 12, 31))
    lead_department = factory.SubFactory(DepartmentFactory)


class MeasureFactory(TaskFactory):
    parent = factory.SubFactory(TaskFactory)
    area = factory.SelfAttribute("parent.area")
    kind = TaskKind.MEASURE
    lead_department = factory.SelfAttribute("parent.lead_department")


class IndicatorFactory(DjangoModelFactory):
    class Meta:
        model = Indicator

    task = factory.SubFactory(MeasureFactory)
    plan = factory.SelfAttribute("task.plan")
    code = factory.Sequence(lambda n: f"I{n + 1}")
    name = "新增就业"
    unit = "万人"
    comparator = Comparator.EQ
    target_value = 1.76
    due_date = factory.LazyAttribute(lambda o: dt.date(o.plan.year, 12, 31))


class MilestoneFactory(DjangoModelFactory):
    class Meta:
        model = Milestone

    task = factory.SubFactory(TaskFactory)
    order = factory.Sequence(lambda n: n + 1)
    title = "一季度节点"
    due_date = factory.LazyAttribute(lambda o: dt.date(o.task.plan.year, 3, 31))
