"""A department member reports progress in a real browser; another department cannot."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from accounts.models import Role
from tests.browser.conftest import DESKTOP, PHONE, screenshot, sign_in
from tests.factories import AreaFactory, DepartmentFactory, PlanFactory, TaskFactory, UserFactory
from tracker.models import Evidence, ProgressEntry

pytestmark = pytest.mark.browser

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def story(transactional_db):
    """This year's plan with one key task of 发改局, whose member reports on it."""
    year = timezone.localdate().year
    plan = PlanFactory(year=year, region="沙河口区", title=f"{year}年沙河口区政府工作报告")
    area = AreaFactory(plan=plan, order=1, code="A1", title="抓项目强产业")
    fgj = DepartmentFactory(short_name="发改局", name="区发展和改革局")
    jyj = DepartmentFactory(short_name="教育局", name="区教育局")
    member = UserFactory(username="fgj_staff", display_name="发改局·刘洋", role=Role.MEMBER,
                         department=fgj)
    outsider = UserFactory(username="jyj_staff", display_name="教育局·吴昊", role=Role.MEMBER,
                           department=jyj)
    task = TaskFactory(area=area, code="A1.1", title="狠抓项目扩大投资", lead_department=fgj,
                       responsible=member, start_date=dt.date(year, 1, 1),
                       deadline=dt.date(year, 12, 31),
                       source_quote="狠抓项目扩大投资。全年实施亿元以上重点项目40个。")
    return {"task": task, "member": member, "outsider": outsider, "area": area}


def test_a_member_reports_progress_with_evidence_and_sees_it_everywhere(story, open_page):
    task = story["task"]
    page = open_page(DESKTOP)
    sign_in(page, "fgj_staff")
    dashboard_before = page.locator("main").inner_text()
    assert "0%" in dashboard_before

    # The skip link is the first stop for a keyboard user.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "跳到正文"

    page.get_by_role("link", name="我的任务").click()
    assert page.get_by_text("本期待报送").is_visible()
    page.get_by_role("link", name="A1.1 狠抓项目扩大投资").click()
    page.get_by_role("link", name="报送进展").click()

    page.get_by_label("完成进度（%）").fill("60")
    page.get_by_label("进展情况").fill("亿元以上重点项目已开工24个")
    page.get_by_label("存在问题").fill("部分项目征地偏慢")
    page.get_by_label("下一步计划").fill("协调供地，确保三季度全部开工")
    page.get_by_label("佐证材料").set_input_files(
        files=[{"name": "开工证明.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    page.get_by_role("button", name="提交进展").click()

    page.wait_for_url(f"**/tasks/{task.pk}/#entry-*")
    assert page.get_by_role("status").inner_text() == "进展已报送。"
    entry = ProgressEntry.objects.get(task=task)
    timeline = page.locator(f"#entry-{entry.pk}")
    assert "亿元以上重点项目已开工24个" in timeline.inner_text()
    assert "部分项目征地偏慢" in timeline.inner_text()
    with page.expect_download() as download:
        timeline.get_by_role("link", name="开工证明.pdf").click()
    assert download.value.suggested_filename == "开工证明.pdf"
    assert Evidence.objects.get(entry=entry).size == len(PDF)
    screenshot(page, "task-desktop")

    page.get_by_role("link", name="总览").click()
    main = page.locator("main").inner_text()
    assert "亿元以上重点项目已开工24个" in main  # 最新进展
    assert "60%" in main  # the area's roll-up moved
    screenshot(page, "dashboard-desktop")

    phone = open_page(PHONE)
    sign_in(phone, "fgj_staff")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(phone, "dashboard-phone")
    phone.goto(f"/tasks/{task.pk}/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(phone, "task-phone")


def test_another_departments_member_gets_no_report_button_and_a_refused_post(story, open_page):
    task = story["task"]
    page = open_page(DESKTOP)
    sign_in(page, "jyj_staff")
    page.goto(f"/tasks/{task.pk}/")
    assert page.get_by_role("heading", name="A1.1 狠抓项目扩大投资").is_visible()
    assert page.get_by_role("link", name="报送进展").count() == 0
    assert page.locator("textarea[name=progress_text]").count() == 0

    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    response = page.request.post(
        f"/tasks/{task.pk}/",
        form={"csrfmiddlewaretoken": token, "percent": "90", "progress_text": "越权报送"},
        headers={"X-CSRFToken": token, "Referer": page.url})
    assert response.status == 403
    assert "不能报送进展" in response.text()  # refused by the permission rule, not CSRF
    assert not ProgressEntry.objects.filter(task=task).exists()
