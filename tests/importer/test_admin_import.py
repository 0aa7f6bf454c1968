"""The admin's import page: upload or paste, review the draft, then load it."""

import io

import pytest
from django.urls import reverse

from tests.importer.conftest import DATA
from tracker.models import Area, Plan

URL = "/admin/import-report/"
DISTRICT = (DATA / "2024-qinghe-district-no-targets.txt").read_text(encoding="utf-8")


@pytest.fixture(autouse=True)
def staging(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path / "report-imports"


@pytest.fixture
def staff_client(client, supervisor):
    client.force_login(supervisor)
    return client


def test_it_is_reachable_at_its_admin_url():
    assert reverse("import_report") == URL


def test_it_shows_the_upload_form_to_supervisors(staff_client):
    response = staff_client.get(URL)
    assert response.status_code == 200
    assert "导入政府工作报告" in response.content.decode()


def test_it_sends_people_who_are_not_signed_in_to_the_login_page(client, db):
    response = client.get(URL)
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_it_refuses_department_heads(client, department_head):
    client.force_login(department_head)
    assert client.get(URL).status_code == 403


def test_it_shows_the_draft_of_pasted_text_for_review_and_loads_it_on_confirmation(
        staff_client, staging):
    response = staff_client.post(URL, {"text": DISTRICT})
    page = response.content.decode()
    assert response.status_code == 200
    assert "工作领域 6 个" in page and "没有主要预期目标" in page
    assert "完成投资</td><td>≥ 140亿元" in page
    assert Plan.objects.count() == 0
    token = response.context["token"]
    assert (staging / token / "draft.yaml").exists() and (staging / token / "draft.txt").exists()

    response = staff_client.post(URL, {"load": "1", "token": token,
                                       "draft": response.context["yaml_text"]})
    assert response.status_code == 302
    plan = Plan.objects.get()
    assert (plan.year, plan.region) == (2024, "清河区")
    assert Area.objects.filter(plan=plan).count() == 6


def test_it_reads_an_uploaded_docx_report(staff_client):
    import docx

    document = docx.Document()
    for line in DISTRICT.splitlines():
        document.add_paragraph(line)
    upload = io.BytesIO()
    document.save(upload)
    upload.seek(0)
    upload.name = "qinghe.docx"
    response = staff_client.post(URL, {"file": upload})
    assert response.status_code == 200
    assert "工作领域 6 个" in response.content.decode()


def test_it_says_why_a_text_is_no_report_on_the_form(staff_client):
    response = staff_client.post(URL, {"text": "番茄炒蛋的做法\n番茄2个，鸡蛋3个。"})
    assert response.status_code == 200
    assert "不像是一份政府工作报告" in response.content.decode()


def test_it_asks_for_a_file_or_text_but_not_both_or_neither(staff_client):
    response = staff_client.post(URL, {})
    assert "二选一" in response.content.decode()


def test_it_shows_the_loaders_complaint_about_an_edited_draft_and_loads_nothing(staff_client):
    review = staff_client.post(URL, {"text": DISTRICT})
    broken = review.context["yaml_text"].replace("quote: 加快重点项目建设。",
                                                 "quote: 这句话不在报告里。")
    response = staff_client.post(URL, {"load": "1", "token": review.context["token"],
                                       "draft": broken})
    assert response.status_code == 400
    assert "这句话不在报告里" in response.content.decode()
    assert Plan.objects.count() == 0


def test_it_refuses_a_forged_draft_token(staff_client):
    response = staff_client.post(URL, {"load": "1", "token": "../../etc", "draft": "x"})
    assert response.status_code == 403
