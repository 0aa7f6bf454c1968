"""Serializers: output ones (<Model>Serializer) say what a client reads; input ones
(<Action>InputSerializer) validate a write before it reaches a service.

Output serializers read only columns and prefetched relations: relations appear as ids,
so a list never joins or queries per row. Clients resolve ids with the departments/users
endpoints (both small and cacheable).
"""

from __future__ import annotations

import decimal

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import ISO_8601, serializers
from rest_framework.settings import api_settings

from accounts.models import Department, User
from tracker.choices import Comparator, Direction, Status
from tracker.models import (
    Area,
    DeliveryItem,
    Indicator,
    IndicatorReading,
    Milestone,
    Plan,
    ProgressEntry,
    Reminder,
    Task,
)


class FastModelSerializer(serializers.ModelSerializer):
    """A read path for lists: the same output as ModelSerializer, at a fraction of the cost.

    DRF resolves every field of every row through several generic layers (get_attribute,
    callable checks, PKOnlyObject…), which costs ~1 ms per row for a task's 30 fields and
    made a page of 100 tasks five times slower than fetching it. Here each field gets
    one getter, chosen once per serializer instance: a column is read from the instance,
    a foreign key as its `<name>_id`, a prefetched many-to-many as its ids, and only
    dates, datetimes and decimals go through the field's own to_representation. Any
    other field (nested serializers, method fields) takes DRF's ordinary path.
    tests/api/test_serializers.py checks the output equals DRF's.
    """

    def to_representation(self, instance) -> dict:
        getters = self.__dict__.get("_getters")
        if getters is None:
            getters = self._getters = [(f.field_name, _getter(f, self.Meta.model))
                                       for f in self._readable_fields]
        return {name: get(instance) for name, get in getters}


class IdListField(serializers.ListField):
    """A list of ids the view has already attached to each row (attach_task_related_ids):
    no query, no model instances, nothing to convert."""

    def __init__(self, **kwargs):
        kwargs.setdefault("child", serializers.IntegerField())
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, data) -> list[int]:
        return list(data)


_RAW_FIELDS = (serializers.CharField, serializers.IntegerField, serializers.BooleanField,
               serializers.ChoiceField)
_CONVERTED_FIELDS = (serializers.DateTimeField, serializers.DateField,
                     serializers.DecimalField)


def _getter(field: serializers.Field, model):
    from rest_framework.relations import ManyRelatedField, PKOnlyObject, PrimaryKeyRelatedField

    attrs = field.source_attrs
    if len(attrs) == 1 and not isinstance(field, serializers.BaseSerializer):
        name = attrs[0]
        if isinstance(field, IdListField):
            return lambda obj: getattr(obj, name)
        if isinstance(field, PrimaryKeyRelatedField) and field.pk_field is None:
            attname = model._meta.get_field(name).attname
            return lambda obj: getattr(obj, attname)
        if (isinstance(field, ManyRelatedField)
                and isinstance(field.child_relation, PrimaryKeyRelatedField)
                and field.child_relation.pk_field is None):
            return lambda obj: [related.pk for related in getattr(obj, name).all()]
        if isinstance(field, _RAW_FIELDS) and not isinstance(field, _CONVERTED_FIELDS):
            return lambda obj: getattr(obj, name)
        coerce = getattr(field, "coerce_to_string", api_settings.COERCE_DECIMAL_TO_STRING)
        if (isinstance(field, serializers.DecimalField) and coerce and not field.localize
                and field.decimal_places is not None):
            # DRF's quantize, with the quantum and context built once rather than per value
            # (building a decimal context is most of its cost).
            quantum = decimal.Decimal(".1") ** field.decimal_places
            context = decimal.getcontext().copy()
            if field.max_digits is not None:
                context.prec = field.max_digits
            rounding = field.rounding

            def quantized(obj):
                value = getattr(obj, name)
                if value is None:
                    return None
                if not isinstance(value, decimal.Decimal):
                    value = decimal.Decimal(str(value).strip())
                return format(value.quantize(quantum, rounding=rounding, context=context), "f")

            return quantized
        if isinstance(field, serializers.DateTimeField):
            default_format = api_settings.DATETIME_FORMAT
        else:
            default_format = api_settings.DATE_FORMAT
        output_format = getattr(field, "format", default_format)
        iso = isinstance(output_format, str) and output_format.lower() == ISO_8601
        if isinstance(field, serializers.DateTimeField) and iso and settings.USE_TZ:
            # DRF's enforce_timezone + isoformat, with the zone looked up once per
            # serializer rather than per value (a thread-local lookup each time).
            zone = getattr(field, "timezone", None) or timezone.get_current_timezone()

            def aware(obj):
                value = getattr(obj, name)
                if not value:
                    return None
                if timezone.is_naive(value):
                    return field.to_representation(value)
                text = value.astimezone(zone).isoformat()
                return text[:-6] + "Z" if text.endswith("+00:00") else text

            return aware
        if isinstance(field, serializers.DateField) and not isinstance(
                field, serializers.DateTimeField) and iso:
            return lambda obj: (value.isoformat() if (value := getattr(obj, name)) else None)
        if isinstance(field, _CONVERTED_FIELDS):
            convert = field.to_representation

            def converted(obj):
                value = getattr(obj, name)
                return None if value is None else convert(value)

            return converted

    def generic(obj):
        attribute = field.get_attribute(obj)
        check = attribute.pk if isinstance(attribute, PKOnlyObject) else attribute
        return None if check is None else field.to_representation(attribute)

    return generic


# Free-text limits for writes: generous for a narrative, but bounded so one request cannot
# store megabytes. Titles follow the model's max_length.
NARRATIVE_MAX_LENGTH = 5000
REASON_MAX_LENGTH = 2000


# ---------------------------------------------------------------- accounts

class DepartmentSerializer(FastModelSerializer):
    class Meta:
        model = Department
        fields = ["id", "name", "short_name", "head"]


class UserSerializer(FastModelSerializer):
    """What anyone signed in may know about a colleague: no e-mail, no phone."""

    class Meta:
        model = User
        fields = ["id", "username", "display_name", "role", "department"]


class MeSerializer(serializers.ModelSerializer):
    can_edit_plan = serializers.BooleanField(read_only=True)
    can_override_status = serializers.BooleanField(read_only=True)
    token_read_only = serializers.BooleanField(read_only=True, allow_null=True,
                                               help_text=_("通过令牌访问时，令牌是否只读"))

    class Meta:
        model = User
        fields = ["id", "username", "display_name", "email", "phone", "role", "department",
                  "can_edit_plan", "can_override_status", "token_read_only"]


# ---------------------------------------------------------------- plan structure

class PlanSerializer(FastModelSerializer):
    class Meta:
        model = Plan
        fields = ["id", "year", "region", "title", "adopted_on", "template_year",
                  "created_at", "updated_at"]


class PlanDetailSerializer(PlanSerializer):
    class Meta(PlanSerializer.Meta):
        fields = [*PlanSerializer.Meta.fields, "source_text"]


class AreaSerializer(FastModelSerializer):
    class Meta:
        model = Area
        fields = ["id", "plan", "order", "code", "title", "source_quote", "source_start",
                  "source_end"]


class TaskSerializer(FastModelSerializer):
    # Both read id lists the views attach to each task (tracker.api.views.attach_task_ids).
    co_departments = IdListField(source="co_department_ids")
    measures = IdListField(source="measure_ids", help_text=_("具体举措的 id（仅重点任务有）"))

    class Meta:
        model = Task
        fields = ["id", "plan", "area", "parent", "kind", "code", "position", "title", "text",
                  "start_date", "deadline", "lead_department", "co_departments",
                  "responsible", "leader", "assignment_is_default", "weight", "percent",
                  "last_progress_at", "completed_on", "status", "computed_status",
                  "status_override", "status_override_reason", "status_override_at",
                  "measures", "source_quote", "source_start", "source_end", "created_at",
                  "updated_at"]


class MeasureSummarySerializer(FastModelSerializer):
    class Meta:
        model = Task
        fields = ["id", "code", "title", "deadline", "lead_department", "responsible",
                  "percent", "status"]


class MilestoneSerializer(FastModelSerializer):
    class Meta:
        model = Milestone
        fields = ["id", "task", "order", "title", "due_date", "completed_on"]


class IndicatorSerializer(FastModelSerializer):
    class Meta:
        model = Indicator
        fields = ["id", "plan", "task", "code", "order", "name", "unit", "comparator",
                  "direction", "target_value", "baseline", "baseline_year", "due_date",
                  "latest_actual", "latest_actual_on", "source_quote", "created_at",
                  "updated_at"]


class IndicatorReadingSerializer(FastModelSerializer):
    class Meta:
        model = IndicatorReading
        fields = ["id", "indicator", "entry", "measured_on", "value", "note", "author",
                  "created_at"]


class IndicatorDetailSerializer(IndicatorSerializer):
    readings = IndicatorReadingSerializer(many=True, read_only=True,
                                          help_text=_("实际值，按统计日期排列"))

    class Meta(IndicatorSerializer.Meta):
        fields = [*IndicatorSerializer.Meta.fields, "baseline_quote", "readings"]


class TaskDetailSerializer(TaskSerializer):
    measures = MeasureSummarySerializer(source="measure_list", many=True, read_only=True)
    milestones = MilestoneSerializer(many=True, read_only=True)
    indicators = IndicatorSerializer(many=True, read_only=True)

    class Meta(TaskSerializer.Meta):
        fields = [*TaskSerializer.Meta.fields, "milestones", "indicators"]


class ProgressReadingSerializer(FastModelSerializer):
    class Meta:
        model = IndicatorReading
        fields = ["id", "indicator", "measured_on", "value"]


class ProgressEntrySerializer(FastModelSerializer):
    readings = ProgressReadingSerializer(source="reading_list", many=True, read_only=True)

    class Meta:
        model = ProgressEntry
        fields = ["id", "task", "author", "reported_on", "percent", "progress_text",
                  "problems_text", "next_steps_text", "self_status", "readings",
                  "is_demo", "created_at"]


class ReminderDeliverySerializer(FastModelSerializer):
    """One message that carried a reminder, on one channel, and how it went."""

    id = serializers.IntegerField(source="delivery.id")
    kind = serializers.CharField(source="delivery.kind")
    state = serializers.CharField(source="delivery.state")
    attempts = serializers.IntegerField(source="delivery.attempts")
    sent_at = serializers.DateTimeField(source="delivery.sent_at", allow_null=True)
    last_error = serializers.CharField(source="delivery.last_error")

    class Meta:
        model = DeliveryItem
        fields = ["id", "channel", "kind", "state", "attempts", "sent_at", "last_error"]


class ReminderSerializer(FastModelSerializer):
    deliveries = ReminderDeliverySerializer(source="delivery_item_list", many=True,
                                            read_only=True)

    class Meta:
        model = Reminder
        fields = ["id", "task", "milestone", "recipient", "rule", "occurrence", "role", "day",
                  "created_by", "created_at", "deliveries"]


# ---------------------------------------------------------------- dashboard (output only)

class StatusCountsSerializer(serializers.Serializer):
    off_track = serializers.IntegerField()
    at_risk = serializers.IntegerField()
    on_track = serializers.IntegerField()
    not_started = serializers.IntegerField()
    done = serializers.IntegerField()
    total = serializers.IntegerField()


class OverallCountsSerializer(StatusCountsSerializer):
    overdue = serializers.IntegerField()


class DashboardAreaSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="area.id")
    code = serializers.CharField(source="area.code")
    title = serializers.CharField(source="area.title")
    percent = serializers.IntegerField(help_text=_("重点任务的加权平均进度"))
    counts = StatusCountsSerializer()


class DashboardDepartmentSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="department.id")
    short_name = serializers.CharField(source="department.short_name")
    counts = StatusCountsSerializer()


class DashboardTaskSerializer(FastModelSerializer):
    class Meta:
        model = Task
        fields = ["id", "code", "title", "deadline", "lead_department", "responsible",
                  "percent", "status"]


class DashboardSerializer(serializers.Serializer):
    plan = PlanSerializer()
    today = serializers.DateField()
    counts = OverallCountsSerializer()
    areas = DashboardAreaSerializer(many=True)
    departments = DashboardDepartmentSerializer(many=True)
    headline_targets = IndicatorSerializer(many=True)
    overdue = DashboardTaskSerializer(many=True)
    due_soon = DashboardTaskSerializer(many=True)


def dashboard_representation(data: dict) -> dict:
    """What DashboardSerializer(data).data renders, built directly.

    The dashboard is a few hundred small dicts (a city plan's departments × seven counts);
    DRF's generic fields took ~20 ms to copy them. DashboardSerializer stays the schema,
    and tests/api/test_serializers.py checks the two agree.
    """
    status_keys = list(StatusCountsSerializer().fields)
    overall_keys = list(OverallCountsSerializer().fields)
    return {
        "plan": PlanSerializer(data["plan"]).data,
        "today": data["today"].isoformat(),
        "counts": {key: data["counts"][key] for key in overall_keys},
        "areas": [{"id": row["area"].id, "code": row["area"].code,
                   "title": row["area"].title, "percent": int(row["percent"]),
                   "counts": {key: row["counts"][key] for key in status_keys}}
                  for row in data["areas"]],
        "departments": [{"id": row["department"].id,
                         "short_name": row["department"].short_name,
                         "counts": {key: row["counts"][key] for key in status_keys}}
                        for row in data["departments"]],
        "headline_targets": IndicatorSerializer(data["headline_targets"], many=True).data,
        "overdue": DashboardTaskSerializer(data["overdue"], many=True).data,
        "due_soon": DashboardTaskSerializer(data["due_soon"], many=True).data,
    }


class ErrorSerializer(serializers.Serializer):
    """The one shape of every error (tracker.api.exceptions); for the schema."""

    status = serializers.IntegerField()
    code = serializers.CharField(help_text="invalid, parse_error, not_authenticated, "
                                           "authentication_failed, permission_denied, "
                                           "not_found, method_not_allowed, throttled…")
    message = serializers.CharField()
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()),
                                   help_text=_("字段名 → 错误信息"))


# ---------------------------------------------------------------- writes (input)

class ProgressEntryInputSerializer(serializers.Serializer):
    task = serializers.PrimaryKeyRelatedField(queryset=Task.objects.all())
    reported_on = serializers.DateField(required=False, help_text=_("默认今天"))
    percent = serializers.IntegerField(required=False, allow_null=True, min_value=0,
                                       max_value=100)
    progress_text = serializers.CharField(required=False, allow_blank=True,
                                          max_length=NARRATIVE_MAX_LENGTH)
    problems_text = serializers.CharField(required=False, allow_blank=True,
                                          max_length=NARRATIVE_MAX_LENGTH)
    next_steps_text = serializers.CharField(required=False, allow_blank=True,
                                            max_length=NARRATIVE_MAX_LENGTH)
    self_status = serializers.ChoiceField(choices=Status.choices, required=False,
                                          allow_blank=True)
    indicator = serializers.PrimaryKeyRelatedField(
        queryset=Indicator.objects.all(), required=False, allow_null=True,
        help_text=_("实际值所属指标；省略时用任务的第一个指标"))
    actual_value = serializers.DecimalField(max_digits=18, decimal_places=4, required=False,
                                            allow_null=True, help_text=_("指标实际值"))


class TaskCreateInputSerializer(serializers.Serializer):
    plan = serializers.PrimaryKeyRelatedField(queryset=Plan.objects.all())
    area = serializers.PrimaryKeyRelatedField(queryset=Area.objects.all())
    parent = serializers.PrimaryKeyRelatedField(
        queryset=Task.objects.all(), required=False, allow_null=True,
        help_text=_("所属重点任务；填写则新建的是具体举措"))
    code = serializers.CharField(required=False, allow_blank=True, max_length=30)
    title = serializers.CharField(max_length=300)
    text = serializers.CharField(required=False, allow_blank=True, max_length=20000)
    start_date = serializers.DateField()
    deadline = serializers.DateField()
    weight = serializers.DecimalField(max_digits=5, decimal_places=2, required=False,
                                      min_value=0)
    lead_department = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.all(), required=False, allow_null=True)
    co_departments = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.all(), many=True, required=False)
    responsible = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(), required=False, allow_null=True)
    leader = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(), required=False, allow_null=True)
    source_quote = serializers.CharField(required=False, allow_blank=True, max_length=20000)


class TaskUpdateInputSerializer(serializers.Serializer):
    code = serializers.CharField(required=False, max_length=30)
    title = serializers.CharField(required=False, max_length=300)
    text = serializers.CharField(required=False, allow_blank=True, max_length=20000)
    start_date = serializers.DateField(required=False)
    deadline = serializers.DateField(required=False)
    weight = serializers.DecimalField(max_digits=5, decimal_places=2, required=False,
                                      min_value=0)
    source_quote = serializers.CharField(required=False, allow_blank=True, max_length=20000)


class TaskAssignInputSerializer(serializers.Serializer):
    """Only the keys present change; `null` clears an owner."""

    lead_department = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.all(), required=False, allow_null=True)
    co_departments = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.all(), many=True, required=False)
    responsible = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(), required=False, allow_null=True)
    leader = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(), required=False, allow_null=True)

    def validate(self, attrs: dict) -> dict:
        if not attrs:
            raise serializers.ValidationError(_("请至少指定一项分工。"))
        return attrs


class StatusOverrideInputSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Status.choices, allow_blank=True,
                                     help_text=_("留空表示撤销人工认定"))
    reason = serializers.CharField(max_length=REASON_MAX_LENGTH)


class IndicatorCreateInputSerializer(serializers.Serializer):
    plan = serializers.PrimaryKeyRelatedField(queryset=Plan.objects.all())
    task = serializers.PrimaryKeyRelatedField(
        queryset=Task.objects.all(), required=False, allow_null=True,
        help_text=_("省略则为主要预期目标"))
    code = serializers.CharField(max_length=30)
    order = serializers.IntegerField(required=False, min_value=0, max_value=32767)
    name = serializers.CharField(max_length=200)
    unit = serializers.CharField(required=False, allow_blank=True, max_length=20)
    comparator = serializers.ChoiceField(choices=Comparator.choices, required=False)
    direction = serializers.ChoiceField(choices=Direction.choices, required=False)
    target_value = serializers.DecimalField(max_digits=18, decimal_places=4, required=False,
                                            allow_null=True)
    baseline = serializers.DecimalField(max_digits=18, decimal_places=4, required=False,
                                        allow_null=True)
    baseline_year = serializers.IntegerField(required=False, allow_null=True, min_value=1900,
                                             max_value=2100)
    baseline_quote = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    due_date = serializers.DateField()
    source_quote = serializers.CharField(required=False, allow_blank=True, max_length=20000)


class IndicatorUpdateInputSerializer(IndicatorCreateInputSerializer):
    """The same fields, used with partial=True; an indicator keeps its plan and task."""

    plan = None
    task = None


class IndicatorReadingInputSerializer(serializers.Serializer):
    value = serializers.DecimalField(max_digits=18, decimal_places=4)
    measured_on = serializers.DateField(required=False, help_text=_("默认今天"))
    note = serializers.CharField(required=False, allow_blank=True, max_length=300)
