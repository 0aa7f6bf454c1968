"""Forms of the web UI. They check the shape of the input; the rules live in services."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from tracker.choices import Status
from tracker.models import Indicator, Task
from tracker.services.errors import ValidationError as ServiceValidationError

# One upload at most this large, and at most this many per entry; protects the disk and a
# phone's upload from a mistaken pick (a video, a whole folder).
EVIDENCE_MAX_BYTES = getattr(settings, "TRACKER_EVIDENCE_MAX_BYTES", 20 * 1024 * 1024)
EVIDENCE_MAX_FILES = 10


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """A file field that takes several files (Django's documented pattern)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class ProgressReportForm(forms.Form):
    """报送进展: percent, an indicator's actual value, 进展 / 问题 / 下一步, evidence."""

    percent = forms.IntegerField(
        label=_("完成进度（%）"), min_value=0, max_value=100, required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    indicator = forms.ModelChoiceField(
        label=_("指标"), queryset=Indicator.objects.none(), required=False,
        empty_label=None)
    actual_value = forms.DecimalField(
        label=_("指标实际值"), required=False, max_digits=18, decimal_places=4,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}))
    progress_text = forms.CharField(label=_("进展情况"), required=False, max_length=5000,
                                    widget=forms.Textarea(attrs={"rows": 4}))
    problems_text = forms.CharField(label=_("存在问题"), required=False, max_length=5000,
                                    widget=forms.Textarea(attrs={"rows": 3}))
    next_steps_text = forms.CharField(label=_("下一步计划"), required=False, max_length=5000,
                                      widget=forms.Textarea(attrs={"rows": 3}))
    self_status = forms.ChoiceField(
        label=_("自评状态"), required=False,
        choices=[("", _("不自评"))] + [c for c in Status.choices if c[0] != Status.NOT_STARTED])
    evidence = MultipleFileField(
        label=_("佐证材料"), required=False,
        help_text=_("可选多个文件，每个不超过 %(mb)d MB。") % {"mb": EVIDENCE_MAX_BYTES // 2**20})

    def __init__(self, *args, task: Task, **kwargs):
        super().__init__(*args, **kwargs)
        self.task = task
        # Indicators were prefetched with the task (selectors_ui.task_detail).
        indicators = list(task.indicators.all())
        if indicators:
            field = self.fields["indicator"]
            field.queryset = Indicator.objects.filter(task=task).order_by("order", "id")
            field.choices = [(i.pk, f"{i.name}（{i.unit}）" if i.unit else i.name)
                             for i in indicators]
            field.initial = indicators[0].pk
        else:
            # Nothing to report an actual against: the fields would only confuse.
            del self.fields["indicator"]
            del self.fields["actual_value"]

    def clean_evidence(self):
        files = self.cleaned_data.get("evidence") or []
        if len(files) > EVIDENCE_MAX_FILES:
            raise forms.ValidationError(
                _("一次最多上传 %(n)d 个文件。") % {"n": EVIDENCE_MAX_FILES})
        for upload in files:
            if upload.size > EVIDENCE_MAX_BYTES:
                raise forms.ValidationError(
                    _("文件“%(name)s”超过 %(mb)d MB。")
                    % {"name": upload.name, "mb": EVIDENCE_MAX_BYTES // 2**20})
        return files

    def service_kwargs(self) -> dict:
        """The cleaned input as progress_entry_create's keyword arguments."""
        data = self.cleaned_data
        return {
            "percent": data.get("percent"),
            "indicator": data.get("indicator") if data.get("actual_value") is not None
            else None,
            "actual_value": data.get("actual_value"),
            "progress_text": data.get("progress_text", ""),
            "problems_text": data.get("problems_text", ""),
            "next_steps_text": data.get("next_steps_text", ""),
            "self_status": data.get("self_status", ""),
            "evidence_files": data.get("evidence") or [],
        }

    def add_service_errors(self, error: ServiceValidationError) -> None:
        """Show a service's validation errors next to the field they concern."""
        for field, messages in error.errors.items():
            target = field if field in self.fields else None
            for message in messages:
                self.add_error(target, message)
