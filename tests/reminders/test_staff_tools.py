"""Staff tools: the admin pages, 催办 now, and the send_reminders command."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.contrib import admin
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse

import tracker.admin_reminders  # noqa: F401 - registers the reminder admin
from tests.factories import UserFactory
from tests.reminders.conftest import at
from tracker.choices import Status
from tracker.models import Delivery, DeliveryKind, DeliveryState, Reminder, Task
from tracker.services.errors import PermissionDenied, ValidationError
from tracker.services.reminders import deliveries_flush, reminders_sweep, task_nudge

pytestmark = pytest.mark.django_db
# Session, user, headed departments, two counts (filtered and total), the user's and the
# groups' permissions, the rows (with recipients and item counts), the date hierarchy's
# range and days: the same for any number of rows.
DELIVERY_LIST_QUERIES = 10


@pytest.fixture(autouse=True)
def reminder_admin_urls():
    """The admin's URLs are built when the URLconf is first imported. If that happened
    before this module registered the reminder admin, build them again."""
    from django.urls import NoReverseMatch, clear_url_caches

    try:
        reverse("admin:tracker_delivery_changelist")
    except NoReverseMatch:
        import importlib

        import config.urls

        importlib.reload(config.urls)
        clear_url_caches()


@pytest.fixture
def as_supervisor(client, supervisor):
    client.force_login(supervisor)
    return client


def failed_deliveries(n: int, error: str = "HTTP 404 from robot.example"):
    for _i in range(n):
        Delivery.objects.create(recipient=UserFactory(), channel="wecom",
                                day=dt.date(2026, 6, 10), state=DeliveryState.FAILED,
                                attempts=1, last_error=error)


# ---------------------------------------------------------------- admin pages


def test_it_previews_the_next_working_days_reminders_without_writing(as_supervisor,
                                                                     task_for, owner):
    task_for("2026-06-15", title="下周一到期的任务")  # 7 days after Monday the 8th

    with time_machine.travel(at("2026-06-05", 17), tick=False):  # a Friday
        response = as_supervisor.get(reverse("admin:tracker_delivery_preview"))

    page = response.content.decode()
    assert response.status_code == 200
    assert "2026-06-08" in page  # the next working day, not Saturday
    assert str(owner) in page and "下周一到期的任务" in page and "即将到期" in page
    assert "电子邮件" in page
    assert Reminder.objects.count() == 0 and Delivery.objects.count() == 0


def test_it_previews_a_chosen_day(as_supervisor, task_for):
    task_for("2026-06-17", title="下周三到期的任务")
    page = as_supervisor.get(reverse("admin:tracker_delivery_preview"),
                             {"day": "2026-06-11"}).content.decode()
    assert "下周三到期的任务" not in page and "没有需要发送的提醒" in page


def test_it_shows_failed_deliveries_with_their_error(as_supervisor):
    failed_deliveries(1, error="DingTalk errcode 310000: sign not match")
    Delivery.objects.create(recipient=UserFactory(), channel="email",
                            day=dt.date(2026, 6, 10), state=DeliveryState.SENT)

    page = as_supervisor.get(reverse("admin:tracker_delivery_changelist"),
                             {"attention": "failed"}).content.decode()

    assert "errcode 310000" in page and "发送失败" in page
    assert "预览明日提醒" in page
    assert "1 条消息发送" in page or page.count('class="action-checkbox"') == 1


def test_it_lists_deliveries_in_the_same_number_of_queries_for_n_and_3n_rows(
        as_supervisor, django_assert_num_queries):
    url = reverse("admin:tracker_delivery_changelist")
    failed_deliveries(3)
    as_supervisor.get(url)  # warm the session and content types
    with django_assert_num_queries(DELIVERY_LIST_QUERIES):
        as_supervisor.get(url)
    failed_deliveries(6)
    with django_assert_num_queries(DELIVERY_LIST_QUERIES):
        assert as_supervisor.get(url).status_code == 200


def test_it_sends_failed_deliveries_again_for_supervisors_only(
        as_supervisor, client, department_head, django_capture_on_commit_callbacks):
    failed_deliveries(2)
    url = reverse("admin:tracker_delivery_changelist")
    ids = [str(pk) for pk in Delivery.objects.values_list("pk", flat=True)]

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        as_supervisor.post(url, {"action": "send_again", "_selected_action": ids})

    assert set(Delivery.objects.values_list("state", flat=True)) == {DeliveryState.PENDING}
    assert len(callbacks) == 1  # queued after commit
    client.force_login(department_head)
    page = client.get(url).content.decode()
    assert "send_again" not in page


def test_department_heads_see_only_their_own_peoples_deliveries(client, department_head,
                                                                member, outsider):
    for person in (member, outsider):
        Delivery.objects.create(recipient=person, channel="email", day=dt.date(2026, 6, 10),
                                state=DeliveryState.FAILED, last_error=f"bounce {person}")
    client.force_login(department_head)

    page = client.get(reverse("admin:tracker_delivery_changelist")).content.decode()

    assert f"bounce {member}" in page and f"bounce {outsider}" not in page


def test_members_cannot_open_the_reminder_admin(client, member):
    member.is_staff = True
    member.save()
    client.force_login(member)
    assert client.get(reverse("admin:tracker_delivery_changelist")).status_code == 403
    assert client.get(reverse("admin:tracker_delivery_preview")).status_code == 403


def test_it_offers_nudge_now_on_the_task_list(as_supervisor, task_for, owner, head,
                                              django_capture_on_commit_callbacks):
    if not admin.site.is_registered(Task):
        pytest.skip("the task admin is not registered")
    task = task_for("2026-12-31")

    with django_capture_on_commit_callbacks(execute=True):
        response = as_supervisor.post(reverse("admin:tracker_task_changelist"),
                                      {"action": "nudge_now",
                                       "_selected_action": [task.pk]}, follow=True)

    assert "已对 1 项任务发出催办" in response.content.decode()
    nudges = Delivery.objects.filter(kind=DeliveryKind.NUDGE)
    assert sorted(nudges.values_list("recipient_id", flat=True)) == sorted([owner.pk,
                                                                           head.pk])


# ---------------------------------------------------------------- 催办 now


def test_a_nudge_goes_out_at_once_and_is_logged(task_for, owner, head, supervisor,
                                                django_capture_on_commit_callbacks):
    task = task_for("2026-12-31", title="需要催办的任务")

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        result = task_nudge(task=task, actor_user=supervisor)

    assert len(callbacks) == 1  # handed to the workers after commit
    assert sorted(result.recipients) == sorted([owner.pk, head.pk])
    reminder = Reminder.objects.get(recipient=owner)
    assert (reminder.rule, reminder.created_by) == ("nudge", supervisor)
    deliveries_flush()  # what the worker does
    (message,) = [m for m in mail.outbox if owner.email in m.to]
    assert message.subject.startswith("【督查室催办】") and "需要催办的任务" in message.body


def test_a_second_nudge_the_same_day_sends_nothing_new(task_for, owner, supervisor):
    task = task_for("2026-12-31")
    task_nudge(task=task, actor_user=supervisor)

    again = task_nudge(task=task, actor_user=supervisor)

    assert again.deliveries == [] and owner.pk in again.already_nudged


def test_a_nudge_reaches_people_who_muted_everything(task_for, owner, supervisor):
    from tracker.services.reminders import notification_preference_update

    notification_preference_update(user=owner, email_enabled=False, wecom_enabled=False,
                                   dingtalk_enabled=False, webhook_enabled=False)
    task_nudge(task=task_for("2026-12-31"), actor_user=supervisor)
    assert Delivery.objects.filter(recipient=owner, channel="email").exists()


def test_only_supervisors_nudge_and_never_about_done_tasks(task_for, member, supervisor):
    with pytest.raises(PermissionDenied):
        task_nudge(task=task_for("2026-12-31"), actor_user=member)
    with pytest.raises(ValidationError):
        task_nudge(task=task_for("2026-12-31", status=Status.DONE), actor_user=supervisor)


def test_a_nudge_with_the_broker_down_waits_for_the_next_sweep(
        task_for, owner, supervisor, broker_in_memory, django_capture_on_commit_callbacks):
    broker_in_memory.conf.broker_url = "redis://127.0.0.1:1/0"  # nothing listens there

    with django_capture_on_commit_callbacks(execute=True):
        result = task_nudge(task=task_for("2026-12-31"), actor_user=supervisor)

    assert Delivery.objects.filter(pk__in=result.deliveries,
                                   state=DeliveryState.PENDING).count() == 2
    reminders_sweep(deliver="inline")
    assert len(mail.outbox) == 2


# ---------------------------------------------------------------- the command


def test_the_command_prints_a_summary_and_a_dry_run_writes_nothing(task_for, owner, head):
    task_for("2026-06-17")
    task_for("2026-06-09")
    out = io.StringIO()

    call_command("send_reminders", "--today", "2026-06-10", "--dry-run", stdout=out)

    dry = out.getvalue()
    assert "接收人 2 位，提醒 3 条" in dry and "演练" in dry
    assert "逾期督办: 2" in dry and "即将到期: 1" in dry
    assert "将新建 2 份每日汇总" in dry
    assert Reminder.objects.count() == 0 and mail.outbox == []

    out = io.StringIO()
    call_command("send_reminders", "--today", "2026-06-10", stdout=out)
    assert "发送成功 2" in out.getvalue() and len(mail.outbox) == 2

    out = io.StringIO()
    call_command("send_reminders", "--today", "2026-06-10", stdout=out)
    assert "新增 0，此前已记录 3" in out.getvalue() and "发送成功 0" in out.getvalue()
    assert len(mail.outbox) == 2


def test_the_command_says_when_a_day_is_not_a_working_day(task_for):
    out = io.StringIO()
    call_command("send_reminders", "--today", "2026-10-01", stdout=out)
    assert "不是工作日" in out.getvalue()


def test_the_command_rejects_a_malformed_day():
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("send_reminders", "--today", "10/06/2026")
