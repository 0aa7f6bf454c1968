"""One FilterSet per listed model, for the API (and anything else that filters by query string).

Every filter validates its value: an unknown id, status or date is a 400 that names the
parameter, not an empty list that looks like "no data". Each model's filters are the
ones an integration needs to sync by difference (`updated_since`) and to slice the plan.
"""

from __future__ import annotations

import datetime as dt

import django_filters as filters
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters.fields import IsoDateTimeField

from accounts.models import Department, Role, User
from tracker.choices import Status, TaskKind
from tracker.models import Area, Indicator, Milestone, Plan, ProgressEntry, Reminder, Task
from tracker.rules.reminders import ReminderRule
from tracker.selectors import overdue_q

TRUE_VALUES = ("true", "1")
BOOLEAN_CHOICES = [("true", "true"), ("false", "false"), ("1", "1"), ("0", "0")]
# Longer search strings are refused rather than sent to the database as a huge LIKE.
Q_MAX_LENGTH = 100


class FilterSet(filters.FilterSet):
    """A FilterSet that builds only the filters the request uses.

    django-filter deep-copies every declared filter and builds a form field for each on
    every request: ~7 ms for the fifteen task filters, more than serializing the page.
    Filters whose parameter is absent would do nothing anyway, so they are left out. The
    class still declares them all, which is what the OpenAPI schema reads.
    """

    def __init__(self, data=None, *args, **kwargs):
        if data is not None:
            self.base_filters = {name: f for name, f in self.base_filters.items()
                                 if name in data}
        super().__init__(data, *args, **kwargs)


class UtcIsoDateTimeField(IsoDateTimeField):
    """ISO 8601 with any offset, compared in UTC: PostgreSQL refuses offsets beyond
    ±15:59 (which Python reads), and a time that leaves the calendar in UTC is a 400."""

    def to_python(self, value):
        parsed = super().to_python(value)
        if parsed is None or timezone.is_naive(parsed):
            return parsed
        try:
            return parsed.astimezone(dt.UTC)
        except OverflowError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None


class UtcIsoDateTimeFilter(filters.IsoDateTimeFilter):
    field_class = UtcIsoDateTimeField


class StrictBooleanFilter(filters.ChoiceFilter):
    """true/false/1/0, and a 400 for anything else (BooleanFilter silently ignores typos)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("choices", BOOLEAN_CHOICES)
        super().__init__(*args, **kwargs)


class StableOrderingFilter(filters.OrderingFilter):
    """`ordering=deadline,-percent`; id breaks ties so pages never overlap."""

    def filter(self, qs: QuerySet, value):
        qs = super().filter(qs, value)
        if value:
            qs = qs.order_by(*qs.query.order_by, "id")
        return qs


def tasks_of_department(department: Department) -> QuerySet:
    """Ids of the tasks a department leads or co-leads (selectors.department_q's meaning).

    A UNION of two index lookups rather than an OR across a join: on 100k tasks the OR
    makes PostgreSQL hash-join the whole table (~200 ms); the UNION reads only the
    department's rows (task_lead_dept_status_idx and the co-department table's
    department index). Being a set, it also lists a task once however it matches.
    """
    led = Task.objects.filter(lead_department=department).order_by().values("pk")
    co = (Task.co_departments.through.objects.filter(department=department).order_by()
          .values("task_id"))
    return led.union(co)


def search_q(value: str, *fields: str) -> Q:
    """`icontains` over several columns: a substring match, which is what Chinese text
    needs (there are no spaces to split words on)."""
    condition = Q()
    for field in fields:
        condition |= Q(**{f"{field}__icontains": value})
    return condition


class PlanFilterSet(FilterSet):
    year = filters.NumberFilter(field_name="year", help_text=_("年度"))
    q = filters.CharFilter(method="filter_q", max_length=Q_MAX_LENGTH,
                           help_text=_("按标题或地区搜索"))
    updated_since = UtcIsoDateTimeFilter(field_name="updated_at", lookup_expr="gte",
                                         help_text=_("只返回此时间之后更新的记录"))
    ordering = StableOrderingFilter(fields=["year", "region", "updated_at"])

    class Meta:
        model = Plan
        fields = ["year", "q", "updated_since"]

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(search_q(value, "title", "region"))


class AreaFilterSet(FilterSet):
    plan = filters.ModelChoiceFilter(queryset=Plan.objects.all(), help_text=_("工作报告 id"))
    year = filters.NumberFilter(field_name="plan__year", help_text=_("年度"))
    q = filters.CharFilter(method="filter_q", max_length=Q_MAX_LENGTH,
                           help_text=_("按编号或标题搜索"))
    ordering = StableOrderingFilter(fields=["order", "code"])

    class Meta:
        model = Area
        fields = ["plan", "year", "q"]

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(search_q(value, "title", "code"))


class TaskFilterSet(FilterSet):
    plan = filters.ModelChoiceFilter(queryset=Plan.objects.all(), help_text=_("工作报告 id"))
    area = filters.ModelChoiceFilter(queryset=Area.objects.all(), help_text=_("工作领域 id"))
    parent = filters.ModelChoiceFilter(queryset=Task.objects.all(), help_text=_("所属重点任务 id"))
    kind = filters.ChoiceFilter(choices=TaskKind.choices, help_text=_("重点任务或具体举措"))
    department = filters.ModelChoiceFilter(
        queryset=Department.objects.all(), method="filter_department",
        help_text=_("部门 id：作为责任单位或配合单位的任务"))
    lead_department = filters.ModelChoiceFilter(queryset=Department.objects.all(),
                                                help_text=_("责任单位 id"))
    responsible = filters.ModelChoiceFilter(queryset=User.objects.all(), help_text=_("责任人 id"))
    # distinct=False: a column of the row itself (no join), so nothing to de-duplicate, and
    # DISTINCT over every column would sort whole rows.
    status = filters.MultipleChoiceFilter(distinct=False, choices=Status.choices,
                                          help_text=_("状态，可重复以多选"))
    overdue = StrictBooleanFilter(method="filter_overdue", help_text=_("是否逾期"))
    due_before = filters.DateFilter(field_name="deadline", lookup_expr="lte",
                                    help_text=_("完成时限不晚于此日期"))
    due_after = filters.DateFilter(field_name="deadline", lookup_expr="gte",
                                   help_text=_("完成时限不早于此日期"))
    year = filters.NumberFilter(field_name="plan__year", help_text=_("年度"))
    q = filters.CharFilter(method="filter_q", max_length=Q_MAX_LENGTH,
                           help_text=_("按编号、任务名称或内容搜索"))
    updated_since = UtcIsoDateTimeFilter(field_name="updated_at", lookup_expr="gte",
                                         help_text=_("只返回此时间之后更新的记录"))
    ordering = StableOrderingFilter(
        fields=["position", "deadline", "percent", "status", "code", "updated_at"])

    class Meta:
        model = Task
        fields = ["plan", "area", "parent", "kind", "department", "lead_department",
                  "responsible", "status", "overdue", "due_before", "due_after", "year",
                  "q", "updated_since"]

    def filter_department(self, queryset: QuerySet, name: str, value: Department) -> QuerySet:
        return queryset.filter(pk__in=tasks_of_department(value))

    def filter_overdue(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        condition = overdue_q(timezone.localdate())
        return queryset.filter(condition) if value in TRUE_VALUES else queryset.exclude(
            condition)

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(search_q(value, "code", "title", "text"))


class IndicatorFilterSet(FilterSet):
    plan = filters.ModelChoiceFilter(queryset=Plan.objects.all(), help_text=_("工作报告 id"))
    task = filters.ModelChoiceFilter(queryset=Task.objects.all(), help_text=_("任务 id"))
    area = filters.ModelChoiceFilter(queryset=Area.objects.all(), field_name="task__area",
                                     help_text=_("工作领域 id"))
    department = filters.ModelChoiceFilter(
        queryset=Department.objects.all(), method="filter_department",
        help_text=_("部门 id：所属任务的责任单位或配合单位"))
    headline = StrictBooleanFilter(method="filter_headline",
                                   help_text=_("是否为主要预期目标"))
    due_before = filters.DateFilter(field_name="due_date", lookup_expr="lte",
                                    help_text=_("完成时限不晚于此日期"))
    due_after = filters.DateFilter(field_name="due_date", lookup_expr="gte",
                                   help_text=_("完成时限不早于此日期"))
    year = filters.NumberFilter(field_name="plan__year", help_text=_("年度"))
    q = filters.CharFilter(method="filter_q", max_length=Q_MAX_LENGTH,
                           help_text=_("按编号或指标名称搜索"))
    updated_since = UtcIsoDateTimeFilter(field_name="updated_at", lookup_expr="gte",
                                         help_text=_("只返回此时间之后更新的记录"))
    ordering = StableOrderingFilter(fields=["order", "code", "due_date", "updated_at"])

    class Meta:
        model = Indicator
        fields = ["plan", "task", "area", "department", "headline", "due_before",
                  "due_after", "year", "q", "updated_since"]

    def filter_department(self, queryset: QuerySet, name: str, value: Department) -> QuerySet:
        return queryset.filter(task__in=tasks_of_department(value))

    def filter_headline(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(task__isnull=value in TRUE_VALUES)

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(search_q(value, "code", "name"))


class ProgressEntryFilterSet(FilterSet):
    plan = filters.ModelChoiceFilter(queryset=Plan.objects.all(), field_name="task__plan",
                                     help_text=_("工作报告 id"))
    area = filters.ModelChoiceFilter(queryset=Area.objects.all(), field_name="task__area",
                                     help_text=_("工作领域 id"))
    task = filters.ModelChoiceFilter(queryset=Task.objects.all(), help_text=_("任务 id"))
    department = filters.ModelChoiceFilter(
        queryset=Department.objects.all(), method="filter_department",
        help_text=_("部门 id：所属任务的责任单位或配合单位"))
    author = filters.ModelChoiceFilter(queryset=User.objects.all(), help_text=_("报送人 id"))
    self_status = filters.MultipleChoiceFilter(distinct=False, choices=Status.choices,
                                               help_text=_("自评状态，可重复以多选"))
    reported_before = filters.DateFilter(field_name="reported_on", lookup_expr="lte",
                                         help_text=_("报送日期不晚于此日期"))
    reported_after = filters.DateFilter(field_name="reported_on", lookup_expr="gte",
                                        help_text=_("报送日期不早于此日期"))
    year = filters.NumberFilter(field_name="task__plan__year", help_text=_("年度"))
    q = filters.CharFilter(method="filter_q", max_length=Q_MAX_LENGTH,
                           help_text=_("按进展、问题或下一步计划搜索"))
    # Entries are never edited, so "updated since" is "created since".
    updated_since = UtcIsoDateTimeFilter(field_name="created_at", lookup_expr="gte",
                                         help_text=_("只返回此时间之后录入的记录"))
    ordering = StableOrderingFilter(fields=["reported_on", "created_at", "percent"])

    class Meta:
        model = ProgressEntry
        fields = ["plan", "area", "task", "department", "author", "self_status",
                  "reported_before", "reported_after", "year", "q", "updated_since"]

    def filter_department(self, queryset: QuerySet, name: str, value: Department) -> QuerySet:
        return queryset.filter(task__in=tasks_of_department(value))

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(search_q(value, "progress_text", "problems_text",
                                        "next_steps_text"))


class MilestoneFilterSet(FilterSet):
    plan = filters.ModelChoiceFilter(queryset=Plan.objects.all(), field_name="task__plan",
                                     help_text=_("工作报告 id"))
    task = filters.ModelChoiceFilter(queryset=Task.objects.all(), help_text=_("任务 id"))
    department = filters.ModelChoiceFilter(
        queryset=Department.objects.all(), method="filter_department",
        help_text=_("部门 id：所属任务的责任单位或配合单位"))
    completed = StrictBooleanFilter(method="filter_completed", help_text=_("是否已完成"))
    overdue = StrictBooleanFilter(method="filter_overdue", help_text=_("是否逾期未完成"))
    due_before = filters.DateFilter(field_name="due_date", lookup_expr="lte",
                                    help_text=_("节点时间不晚于此日期"))
    due_after = filters.DateFilter(field_name="due_date", lookup_expr="gte",
                                   help_text=_("节点时间不早于此日期"))
    year = filters.NumberFilter(field_name="task__plan__year", help_text=_("年度"))
    q = filters.CharFilter(method="filter_q", max_length=Q_MAX_LENGTH,
                           help_text=_("按节点内容搜索"))
    ordering = StableOrderingFilter(fields=["due_date", "order"])

    class Meta:
        model = Milestone
        fields = ["plan", "task", "department", "completed", "overdue", "due_before",
                  "due_after", "year", "q"]

    def filter_department(self, queryset: QuerySet, name: str, value: Department) -> QuerySet:
        return queryset.filter(task__in=tasks_of_department(value))

    def filter_completed(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(completed_on__isnull=value not in TRUE_VALUES)

    def filter_overdue(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        late = Q(due_date__lt=timezone.localdate(), completed_on__isnull=True)
        return queryset.filter(late) if value in TRUE_VALUES else queryset.exclude(late)

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(search_q(value, "title"))


class DepartmentFilterSet(FilterSet):
    q = filters.CharFilter(method="filter_q", max_length=Q_MAX_LENGTH,
                           help_text=_("按名称或简称搜索"))
    ordering = StableOrderingFilter(fields=["name", "short_name"])

    class Meta:
        model = Department
        fields = ["q"]

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(search_q(value, "name", "short_name"))


class UserFilterSet(FilterSet):
    department = filters.ModelChoiceFilter(queryset=Department.objects.all(),
                                           help_text=_("所属部门 id"))
    role = filters.ChoiceFilter(choices=Role.choices, help_text=_("角色"))
    q = filters.CharFilter(method="filter_q", max_length=Q_MAX_LENGTH,
                           help_text=_("按用户名或姓名搜索"))
    ordering = StableOrderingFilter(fields=["username", "display_name"])

    class Meta:
        model = User
        fields = ["department", "role", "q"]

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(search_q(value, "username", "display_name"))


class ReminderFilterSet(FilterSet):
    plan = filters.ModelChoiceFilter(queryset=Plan.objects.all(), field_name="task__plan",
                                     help_text=_("工作报告 id"))
    task = filters.ModelChoiceFilter(queryset=Task.objects.all(), help_text=_("任务 id"))
    department = filters.ModelChoiceFilter(
        queryset=Department.objects.all(), method="filter_department",
        help_text=_("部门 id：所属任务的责任单位或配合单位"))
    recipient = filters.ModelChoiceFilter(queryset=User.objects.all(),
                                          help_text=_("接收人 id"))
    rule = filters.MultipleChoiceFilter(distinct=False, choices=ReminderRule.choices,
                                        help_text=_("规则，可重复以多选"))
    day_before = filters.DateFilter(field_name="day", lookup_expr="lte",
                                    help_text=_("提醒日期不晚于此日期"))
    day_after = filters.DateFilter(field_name="day", lookup_expr="gte",
                                   help_text=_("提醒日期不早于此日期"))
    # Reminders are never edited, so "updated since" is "created since".
    updated_since = UtcIsoDateTimeFilter(field_name="created_at", lookup_expr="gte",
                                         help_text=_("只返回此时间之后录入的记录"))
    ordering = StableOrderingFilter(fields=["day", "created_at"])

    class Meta:
        model = Reminder
        fields = ["plan", "task", "department", "recipient", "rule", "day_before",
                  "day_after", "updated_since"]

    def filter_department(self, queryset: QuerySet, name: str, value: Department) -> QuerySet:
        return queryset.filter(task__in=tasks_of_department(value))
