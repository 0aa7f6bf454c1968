"""Admin: import a work report (upload a .txt/.docx or paste the text), review, then load.

Three steps on one URL (admin/import-report/):

1. the form: a file or pasted text, optionally the year and region;
2. the review: what the importer found (targets, areas, key tasks, measures, notes) and the
   draft itself, editable, saved in a staging folder under MEDIA_ROOT;
3. the load: the (edited) draft goes through the seed loader, the same validation and
   upsert as `manage.py seed_report`, and the admin opens the plan.
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tracker.importer import (
    ReportImportError,
    UnreadableFile,
    decode_report,
    draft_write,
    import_report,
)
from tracker.importer.draft import Draft
from tracker.rules.permissions import Actor, can_edit_plan
from tracker.services.seed import SeedError, plan_seed_apply, plan_seed_parse

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
_TOKEN = re.compile(r"^[0-9a-f]{32}$")
DRAFT_NAME = "draft.yaml"


class ReportImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("报告文件"), required=False,
                           help_text=gettext_lazy(".txt（UTF-8 或 GB18030）或 .docx"))
    text = forms.CharField(label=gettext_lazy("或粘贴报告全文"), required=False,
                           widget=forms.Textarea(attrs={"rows": 12, "cols": 100}))
    year = forms.IntegerField(label=gettext_lazy("年度"), required=False, min_value=2000,
                              max_value=2100, help_text=gettext_lazy("留空则从标题或正文识别"))
    region = forms.CharField(label=gettext_lazy("地区"), required=False, max_length=100,
                             help_text=gettext_lazy("留空则从标题识别"))

    def clean(self):
        data = super().clean()
        upload, text = data.get("file"), (data.get("text") or "").strip()
        if bool(upload) == bool(text):
            raise forms.ValidationError(_("请上传一个报告文件，或粘贴报告全文（二选一）。"))
        if upload is not None:
            if upload.size > MAX_UPLOAD_BYTES:
                raise forms.ValidationError(_("文件太大（上限 5 MB）。"))
            try:
                data["report_text"] = decode_report(upload.read(), upload.name)
            except UnreadableFile as exc:
                raise forms.ValidationError(str(exc)) from None
        else:
            data["report_text"] = text
        return data


def staging_root() -> Path:
    return Path(settings.MEDIA_ROOT) / "report-imports"


def _staged_draft(token: str) -> Path:
    if not _TOKEN.match(token or ""):
        raise PermissionDenied(_("无效的草稿编号"))
    return staging_root() / token / DRAFT_NAME


def import_report_view(request: HttpRequest) -> HttpResponse:
    if not can_edit_plan(Actor.of(request.user)):
        raise PermissionDenied
    if request.method == "POST" and "load" in request.POST:
        return _load(request)
    form = (ReportImportForm(request.POST, request.FILES) if request.method == "POST"
            else ReportImportForm())
    if form.is_bound and form.is_valid():
        try:
            draft = import_report(form.cleaned_data["report_text"],
                                  year=form.cleaned_data.get("year"),
                                  region=form.cleaned_data.get("region") or None)
        except ReportImportError as exc:
            form.add_error(None, str(exc))
        else:
            token = uuid.uuid4().hex
            draft_path, _source = draft_write(draft, staging_root() / token / DRAFT_NAME)
            return _review(request, draft=draft, token=token,
                           yaml_text=draft_path.read_text(encoding="utf-8"))
    return render(request, "admin/import_report.html", {
        **admin.site.each_context(request), "title": _("导入政府工作报告"), "form": form,
    })


def _review(request: HttpRequest, *, draft: Draft | None, token: str, yaml_text: str,
            error: str = "") -> HttpResponse:
    return render(request, "admin/import_report_review.html", {
        **admin.site.each_context(request), "title": _("核对导入草稿"), "draft": draft,
        "token": token, "yaml_text": yaml_text, "error": error,
    }, status=400 if error else 200)


def _load(request: HttpRequest) -> HttpResponse:
    """Write the reviewed draft back to its staging folder and load it like seed_report."""
    draft_path = _staged_draft(request.POST.get("token", ""))
    if not draft_path.exists():
        messages.error(request, _("草稿已过期或不存在，请重新导入。"))
        return HttpResponseRedirect(reverse("import_report"))
    yaml_text = request.POST.get("draft") or draft_path.read_text(encoding="utf-8")
    draft_path.write_text(yaml_text.replace("\r\n", "\n"), encoding="utf-8")
    try:
        spec = plan_seed_parse(draft_path)
        plan, summary = plan_seed_apply(spec, path_label=DRAFT_NAME)
    except SeedError as exc:
        # Name the draft, not the staging folder on the server.
        message = str(exc).replace(str(draft_path), DRAFT_NAME)
        return _review(request, draft=None, token=draft_path.parent.name, yaml_text=yaml_text,
                       error=message)
    verb = _("新建") if summary.plan_created else _("更新")
    messages.success(request, _("已%(verb)s计划“%(title)s”：%(summary)s") % {
        "verb": verb, "title": plan.title, "summary": summary.line()})
    try:
        return HttpResponseRedirect(reverse("admin:tracker_plan_change", args=[plan.pk]))
    except NoReverseMatch:
        return HttpResponseRedirect(reverse("admin:index"))

