"""Evidence files: a size limit, an allow-list checked by content and by name, sanitised
names, random names on disk, and downloads only through the permission-checking view."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import Resolver404, resolve, reverse

from tests.factories import AreaFactory, PlanFactory, TaskFactory
from tests.production.conftest import (
    DOCX,
    EXE,
    HTML,
    JPEG,
    OLE,
    PDF,
    PNG,
    PPTX,
    XLSX,
    ooxml,
    plain_zip,
)
from tracker.models import Evidence, ProgressEntry
from tracker.services.errors import ValidationError
from tracker.services.evidence import (
    EVIDENCE_MAX_FILES,
    evidence_file_check,
    evidence_name_clean,
)
from tracker.services.progress import progress_entry_create


def upload(name: str, content: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type)


# ---------------------------------------------------------------- names

@pytest.mark.parametrize(("given", "kept"), [
    ("开工证明.pdf", "开工证明.pdf"),
    ("关于（2023）第3号《通知》【定稿】.docx", "关于（2023）第3号《通知》【定稿】.docx"),
    ("现场 照片 1.jpg", "现场_照片_1.jpg"),
    ("../../etc/passwd.pdf", "passwd.pdf"),
    ("C:\\Users\\王明\\Desktop\\台账.xlsx", "台账.xlsx"),
    ("报告\u202efdp.exe", "报告fdp.exe"),  # the right-to-left override is dropped
    ("名单\x00\n\t.pdf", "名单.pdf"),
    ("a<b>c:d|e?.pdf", "abcde.pdf"),
    ("...pdf", "文件.pdf"),
    (".pdf", "文件.pdf"),
    ("<script>alert(1)</script>.png", "script.png"),  # "/" ends a path part
    ("😀进展.png", "进展.png"),
    ("", "文件"),
])
def test_it_sanitises_names_and_keeps_chinese(given, kept):
    assert evidence_name_clean(given) == kept


def test_it_caps_a_long_name_and_keeps_its_extension():
    name = evidence_name_clean("很" * 300 + ".pdf")
    assert len(name) <= 120 and name.endswith("很.pdf")


# ---------------------------------------------------------------- types

@pytest.mark.parametrize(("name", "content"), [
    ("验收报告.pdf", PDF), ("现场.png", PNG), ("现场.jpg", JPEG), ("现场.jpeg", JPEG),
    ("照片.jpg", PNG),  # a phone's photo with the wrong image extension is still a photo
    ("通知.doc", OLE), ("台账.xls", OLE), ("汇报.wps", OLE), ("台账.et", OLE),
    ("通知.docx", DOCX), ("台账.xlsx", XLSX), ("汇报.pptx", PPTX), ("大写.PDF", PDF),
])
def test_it_accepts_pdf_images_and_office_documents(name, content):
    checked, problems = evidence_file_check(upload(name, content))
    assert problems == []
    assert checked.display_name == name
    assert checked.storage_name.endswith(Path(name).suffix.lower())


@pytest.mark.parametrize(("name", "content", "why"), [
    ("报告.pdf", HTML, "不符"),            # a web page renamed to .pdf
    ("报告.pdf", EXE, "不符"),             # a program renamed to .pdf
    ("台账.xlsx", plain_zip(), "不符"),    # any zip is not a workbook
    ("台账.xlsx", DOCX, "不符"),           # a Word file is not a workbook
    ("通知.docx", OLE, "不符"),
    ("照片.png", PDF, "不符"),
    ("setup.exe", EXE, "不支持"),
    ("页面.html", HTML, "不支持"),
    ("资料.zip", plain_zip(), "不支持"),
    ("无扩展名", PDF, "不支持"),
    ("宏.docx", ooxml("word/document.xml", macros=True), "宏"),
    ("空.pdf", b"", "空文件"),
])
def test_it_refuses_other_types_checked_by_content_and_name(name, content, why):
    checked, problems = evidence_file_check(upload(name, content))
    assert checked is None
    assert len(problems) == 1 and why in problems[0]


@override_settings(TRACKER_EVIDENCE_MAX_BYTES=1024)
def test_it_refuses_a_file_over_the_size_limit():
    checked, problems = evidence_file_check(upload("大.pdf", PDF + b"0" * 1024))
    assert checked is None and "超过" in problems[0]
    assert evidence_file_check(upload("小.pdf", PDF))[1] == []


def test_the_default_limit_is_twenty_megabytes(settings):
    assert settings.TRACKER_EVIDENCE_MAX_BYTES == 20 * 1024 * 1024


# ---------------------------------------------------------------- the service

@pytest.fixture
def task(db, department, member):
    return TaskFactory(area=AreaFactory(plan=PlanFactory()), lead_department=department,
                       responsible=member)


def test_the_service_stores_files_under_random_names_with_clean_display_names(task, member):
    entry = progress_entry_create(task=task, author=member, percent=10, evidence_files=[
        upload("../../进展 照片.png", PNG, "text/html")])
    evidence = entry.evidence.get()
    assert evidence.original_name == "进展_照片.png"
    assert evidence.content_type == "image/png"  # from the content, not the browser
    stored = Path(evidence.file.name)
    assert stored.parts[0] == "evidence"
    assert len(stored.stem) == 32 and stored.suffix == ".png"  # nothing the user typed
    assert Path(evidence.file.path).read_bytes() == PNG


def test_the_service_refuses_the_whole_entry_for_one_bad_file(task, member):
    with pytest.raises(ValidationError) as error:
        progress_entry_create(task=task, author=member, percent=10, evidence_files=[
            upload("好.pdf", PDF), upload("坏.pdf", HTML)])
    assert list(error.value.errors) == ["evidence"]
    assert "坏.pdf" in error.value.errors["evidence"][0]
    assert not ProgressEntry.objects.exists() and not Evidence.objects.exists()


def test_the_service_caps_the_number_of_files(task, member):
    files = [upload(f"{i}.pdf", PDF) for i in range(EVIDENCE_MAX_FILES + 1)]
    with pytest.raises(ValidationError) as error:
        progress_entry_create(task=task, author=member, percent=10, evidence_files=files)
    assert "最多" in error.value.errors["evidence"][0]


# ---------------------------------------------------------------- the UI and admin

@pytest.fixture
def mid_year(time_machine):
    time_machine.move_to(dt.datetime(2023, 6, 15, 10, tzinfo=dt.UTC), tick=False)


def test_the_web_ui_shows_a_bad_file_as_an_error_on_its_field(client, task, member, mid_year):
    client.force_login(member)
    response = client.post(reverse("ui:task", args=[task.pk]), {
        "percent": "20", "progress_text": "附件有误", "evidence": [upload("报告.pdf", EXE)]})
    assert response.status_code == 200
    form = response.context["form"]
    assert "不符" in " ".join(form.errors["evidence"])
    assert "附件有误" in response.content.decode()  # nothing typed is lost
    assert not ProgressEntry.objects.exists()


def test_the_admin_shows_a_bad_file_as_an_error_on_its_field(task):
    from tracker.admin.forms import ProgressEntryInlineForm

    form = ProgressEntryInlineForm(
        data={"reported_on": "2023-06-15", "percent": "10"},
        files={"evidence_file": upload("台账.xlsx", plain_zip())}, task=task)
    assert not form.is_valid()
    assert "不符" in " ".join(form.errors["evidence_file"])


# ---------------------------------------------------------------- serving

@pytest.fixture
def evidence(task, member):
    entry = progress_entry_create(task=task, author=member, percent=10,
                                  evidence_files=[upload("验收报告.pdf", PDF)])
    return entry.evidence.get()


def test_it_serves_a_file_to_a_signed_in_colleague_as_an_attachment(client, outsider,
                                                                    evidence):
    client.force_login(outsider)  # everyone signed in may read the plan
    response = client.get(reverse("ui:evidence", args=[evidence.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''%E9%AA%8C" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"


def test_it_refuses_a_visitor_and_a_deactivated_account(client, member, evidence):
    url = reverse("ui:evidence", args=[evidence.pk])
    assert client.get(url).status_code == 302  # to the sign-in page
    member.is_active = False
    member.save()
    client.force_login(member)
    assert client.get(url).status_code == 302


@pytest.mark.parametrize("debug", [False, True])
def test_there_is_no_public_media_url_even_in_debug(client, member, evidence, debug,
                                                    settings):
    settings.DEBUG = debug
    client.force_login(member)
    media_path = f"/{settings.MEDIA_URL.strip('/')}/{evidence.file.name}"
    with pytest.raises(Resolver404):
        resolve(media_path)
    assert client.get(media_path).status_code == 404


def test_the_admin_links_files_through_the_permission_checking_view(client, supervisor,
                                                                    evidence):
    client.force_login(supervisor)
    pages = [reverse("admin:tracker_evidence_changelist"),
             reverse("admin:tracker_evidence_change", args=[evidence.pk]),
             reverse("admin:tracker_progressentry_change", args=[evidence.entry_id]),
             reverse("admin:tracker_task_change", args=[evidence.entry.task_id])]
    for url in pages:
        page = client.get(url).content.decode()
        assert reverse("ui:evidence", args=[evidence.pk]) in page, url
        assert evidence.file.name not in page, url
