"""Forms the task admin shows: a progress entry added inline, and a status override."""

from __future__ import annotations

from django import forms
from django.forms.models import BaseInlineFormSet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tracker.choices import Status
from tracker.models import Indicator, ProgressEntry, Task
from tracker.services.evidence import evidence_file_check
from tracker.services.progress import progress_entry_check

WITHDRAW = "withdraw"


class StatusOverrideForm(forms.Form):
    """认定状态: the status 督查室 decides, and the reason they must give."""

    status = forms.ChoiceField(
        label=_("认定状态"),
        choices=[("", "---------"), *Status.choices,
                 (WITHDRAW, _("撤销人工认定，恢复自动计算"))],
    )
    reason = forms.CharField(label=_("理由"), widget=forms.Textarea(attrs={"rows": 4,
                                                                          "cols": 60}),
                             help_text=_("必填。理由会记入状态认定记录和任务的修改历史。"))

    @property
    def status_value(self) -> str:
        """The status to pass to task_status_override ("" withdraws the override)."""
        value = self.cleaned_data["status"]
        return "" if value == WITHDRAW else value


class ProgressEntryInlineForm(forms.ModelForm):
    """A new progress entry typed on the task page.

    The admin never saves this form itself: TaskAdmin.save_formset hands the cleaned data
    to progress_entry_create, which rolls percent and status up onto the task. `clean`
    repeats that service's input checks so a mistake shows as a form error instead of
    surfacing after the task has already been saved.
    """

    percent = forms.IntegerField(label=_("完成进度(%)"), min_value=0, max_value=100,
                                 required=False)
    indicator = forms.ModelChoiceField(label=_("指标"), queryset=Indicator.objects.none(),
                                       required=False)
    actual_value = forms.DecimalField(label=_("指标实际值"), max_digits=18, decimal_places=4,
                                      required=False)
    evidence_file = forms.FileField(label=_("佐证材料"), required=False)

    class Meta:
        model = ProgressEntry
        fields = ("reported_on", "percent", "self_status", "progress_text", "problems_text",
                  "next_steps_text")
        widgets = {
            "progress_text": forms.Textarea(attrs={"rows": 2, "cols": 28}),
            "problems_text": forms.Textarea(attrs={"rows": 2, "cols": 20}),
            "next_steps_text": forms.Textarea(attrs={"rows": 2, "cols": 20}),
        }

    def __init__(self, *args, task: Task | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.task = task
        if task is not None and task.pk is not None:
            self.fields["indicator"].queryset = Indicator.objects.filter(task=task).order_by(
                "order", "id")
        # A blank new row stays blank (has_changed() is False) with today pre-filled.
        self.fields["reported_on"].initial = timezone.localdate

    def clean_evidence_file(self):
        # The service's file rules (size, type by content), shown beside the field.
        upload = self.cleaned_data.get("evidence_file")
        if upload:
            _checked, problems = evidence_file_check(upload)
            if problems:
                raise forms.ValidationError(problems)
        return upload

    def clean(self) -> dict:
        data = super().clean()
        if self.task is None or self.task.pk is None or not self.has_changed():
            return data
        # The service's own input rules, so the messages appear beside their fields
        # before the task is saved (the service checks them again when it writes).
        _indicator, errors = progress_entry_check(
            task=self.task, reported_on=data.get("reported_on") or timezone.localdate(),
            percent=data.get("percent"), progress_text=data.get("progress_text") or "",
            self_status=data.get("self_status") or "", indicator=data.get("indicator"),
            actual_value=data.get("actual_value"), today=timezone.localdate())
        for field, messages in errors.items():
            for message in messages:
                self.add_error(None if field == "non_field_errors" or field not in self.fields
                               else field, message)
        return data


class ProgressEntryFormSet(BaseInlineFormSet):
    """Hands each form its task, so the indicator choices are that task's indicators."""

    def get_form_kwargs(self, index):
        kwargs = super().get_form_kwargs(index)
        kwargs["task"] = self.instance
        return kwargs


class IndicatorInlineForm(forms.ModelForm):
    """An indicator edited on its task's page; the plan comes from the task."""

    class Meta:
        model = Indicator
        # TaskAdmin's IndicatorInline.fields picks the columns shown.
        fields = ("code", "order", "name", "unit", "comparator", "target_value", "baseline",
                  "baseline_year", "due_date")

    def clean(self) -> dict:
        data = super().clean()
        code = data.get("code")
        # The form has no plan field, so model validation skips the (plan, code) constraint.
        if code and self.instance.plan_id and Indicator.objects.filter(
                plan_id=self.instance.plan_id, code=code).exclude(pk=self.instance.pk).exists():
            self.add_error("code", _("本工作报告中已有编号为 %(code)s 的指标。") % {"code": code})
        return data


class IndicatorFormSet(BaseInlineFormSet):
    """New indicators added on a task's page belong to the task's plan."""

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        if form.instance.plan_id is None:
            form.instance.plan_id = self.instance.plan_id
        return form
