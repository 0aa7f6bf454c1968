"""The task list's filters: what the URL's query string holds, so a view can be shared.

The API has its own FilterSet; this one speaks the UI's words (due windows, a search box,
sort keys for table headers) and is what the list page and the Excel export both apply.
"""

from __future__ import annotations

import datetime as dt

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import Department
from tracker.choices import Status, TaskKind
from tracker.models import Area, Plan, Task
from tracker.selectors import department_q, overdue_q

DUE_WINDOWS = [
    ("overdue", _("已逾期")),
    ("7", _("7 天内到期")),
    ("30", _("30 天内到期")),
    ("90", _("90 天内到期")),
]

SORT_KEYS = [
    # (URL value, queryset ordering, label)
    ("position", ("position",), _("报告顺序")),
    ("deadline", ("deadline", "position"), _("完成时限")),
    ("-deadline", ("-deadline", "position"), _("完成时限（倒序）")),
    ("percent", ("percent", "position"), _("完成进度")),
    ("-percent", ("-percent", "position"), _("完成进度（倒序）")),
    ("status", ("status_rank", "position"), _("状态（最差在前）")),
    ("-status", ("-status_rank", "position"), _("状态（最好在前）")),
    ("department", ("lead_department__short_name", "position"), _("责任单位")),
    ("-department", ("-lead_department__short_name", "position"), _("责任单位（倒序）")),
    ("-updated", ("-updated_at", "position"), _("最近更新")),
]
SORT_ORDERING = {key: ordering for key, ordering, _label in SORT_KEYS}

# Longest search accepted; the words are ANDed, each matched as a substring.
SEARCH_MAX_LENGTH = 100
SEARCH_MAX_WORDS = 5


class TaskUIFilterSet(django_filters.FilterSet):
    """Filters for the task list page and its export. Needs `today` (the injectable clock's
    date, for due windows) and the plan being shown (to offer that plan's areas)."""

    plan = django_filters.ModelChoiceFilter(
        queryset=Plan.objects.order_by("-year", "region"), label=_("工作报告"),
        empty_label=None)
    q = django_filters.CharFilter(
        method="filter_search", label=_("搜索"), max_length=SEARCH_MAX_LENGTH,
        widget=forms.TextInput(attrs={"type": "search",
                                      "placeholder": _("编号、任务或原文关键词")}))
    area = django_filters.ModelChoiceFilter(queryset=Area.objects.none(), label=_("工作领域"),
                                            empty_label=_("全部领域"))
    department = django_filters.ModelChoiceFilter(
        queryset=Department.objects.order_by("id"), method="filter_department",
        label=_("责任单位（含配合）"), empty_label=_("全部单位"))
    status = django_filters.ChoiceFilter(choices=Status.choices, label=_("状态"),
                                         empty_label=_("全部状态"))
    kind = django_filters.ChoiceFilter(choices=TaskKind.choices, label=_("类型"),
                                       empty_label=_("全部类型"))
    due = django_filters.ChoiceFilter(choices=DUE_WINDOWS, method="filter_due",
                                      label=_("完成时限"), empty_label=_("不限"))
    sort = django_filters.ChoiceFilter(
        choices=[(key, label) for key, _o, label in SORT_KEYS], method="filter_sort",
        label=_("排序"), empty_label=None)

    class Meta:
        model = Task
        fields = ["plan", "q", "area", "department", "status", "kind", "due", "sort"]

    def __init__(self, data=None, *args, today: dt.date, plan: Plan | None = None, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.today = today
        areas = Area.objects.order_by("plan", "order")
        self.filters["area"].queryset = areas.filter(plan=plan) if plan else areas.none()
        self.form.fields["area"].queryset = self.filters["area"].queryset

    @property
    def qs(self) -> QuerySet[Task]:
        qs = super().qs
        # The list is always ordered; an explicit sort key replaces this in filter_sort.
        if not qs.query.order_by:
            qs = qs.order_by("position")
        return qs

    def filter_search(self, queryset: QuerySet[Task], name: str, value: str) -> QuerySet[Task]:
        """Every word must appear in the code, title, text or source quote. A substring
        match, so Chinese needs no word segmentation: "老旧小区" finds "老旧小区改造"."""
        for word in value.split()[:SEARCH_MAX_WORDS]:
            queryset = queryset.filter(
                Q(code__icontains=word) | Q(title__icontains=word) | Q(text__icontains=word)
                | Q(source_quote__icontains=word))
        return queryset

    def filter_department(self, queryset: QuerySet[Task], name: str, value: Department
                          ) -> QuerySet[Task]:
        # Through co_departments a task can match twice; filter by id to stay distinct.
        return queryset.filter(pk__in=Task.objects.filter(department_q([value.pk]))
                               .values("pk"))

    def filter_due(self, queryset: QuerySet[Task], name: str, value: str) -> QuerySet[Task]:
        if value == "overdue":
            return queryset.filter(overdue_q(self.today))
        until = self.today + dt.timedelta(days=int(value))
        return queryset.filter(deadline__gte=self.today, deadline__lte=until).exclude(
            status=Status.DONE)

    def filter_sort(self, queryset: QuerySet[Task], name: str, value: str) -> QuerySet[Task]:
        return queryset.order_by(*SORT_ORDERING[value])
