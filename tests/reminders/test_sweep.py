"""The sweep end to end on the database, with time fixed and e-mail in locmem."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail

from tests.factories import MilestoneFactory
from tests.reminders import backends
from tests.reminders.conftest import at
from tracker.choices import Status
from tracker.models import (
    Delivery,
    DeliveryKind,
    DeliveryState,
    DepartmentRobot,
    ProgressEntry,
    Reminder,
)
from tracker.services.reminders import (
    deliveries_flush,
    deliveries_send,
    notification_preference_update,
    reminders_sweep,
)

pytestmark = pytest.mark.django_db


def sweep(day: str, **kwargs):
    with time_machine.travel(at(day), tick=False):
        return reminders_sweep(**kwargs)


def mail_to(address: str) -> list:
    return [m for m in mail.outbox if address in m.to]


def test_it_sends_one_digest_per_person_with_overdue_first(task_for, owner, head):
    late = task_for("2026-06-09", title="建成智慧社区")
    soon = task_for("2026-06-17", title="完成老旧小区改造")
    MilestoneFactory(task=task_for("2026-12-31"), title="三季度节点",
                     due_date=dt.date(2026, 6, 13))  # a Saturday, 3 days away

    summary = sweep("2026-06-10")

    assert summary.recipients == {owner.pk, head.pk}
    (digest,) = mail_to(owner.email)
    body = digest.body
    assert body.index(late.title) < body.index(soon.title)  # overdue first
    assert "逾期督办" in body and "即将到期" in body
    assert body.index("三季度节点") < body.index(soon.title)  # then by due date
    assert "还剩 3 天（完成时限 2026-06-13）" in body
    assert digest.subject.startswith("【督办】")
    html, mimetype = digest.alternatives[0]
    assert mimetype == "text/html" and late.title in html
    (copy,) = mail_to(head.email)
    assert late.title in copy.body and soon.title not in copy.body
    assert "抄送部门负责人" in copy.body


def test_it_reminds_milestones_like_deadlines(task_for, owner):
    task = task_for("2026-12-31")
    MilestoneFactory(task=task, title="半年节点", due_date=dt.date(2026, 6, 30))

    sweep("2026-06-23")

    (digest,) = mail_to(owner.email)
    assert "半年节点" in digest.body and "时间节点" in digest.body
    assert Reminder.objects.get().milestone.title == "半年节点"


def test_it_sends_nothing_new_when_the_sweep_runs_again(task_for, owner):
    task_for("2026-06-17")
    first = sweep("2026-06-10")
    assert first.new_reminders == 1 and len(mail.outbox) == 1

    again = sweep("2026-06-10")

    assert again.new_reminders == 0 and again.already_recorded == 1
    assert again.send.sent == 0
    assert len(mail.outbox) == 1


def test_it_sends_nothing_when_nothing_is_due(task_for):
    task_for("2026-06-30")

    summary = sweep("2026-06-10")

    assert mail.outbox == []
    assert summary.recipients == set() and Delivery.objects.count() == 0


def test_it_never_reminds_about_done_tasks(task_for):
    task_for("2026-06-09", status=Status.DONE)
    task = task_for("2026-12-31", status=Status.DONE)
    MilestoneFactory(task=task, due_date=dt.date(2026, 6, 17))

    sweep("2026-06-10")

    assert mail.outbox == [] and Reminder.objects.count() == 0


def test_it_stays_quiet_on_holidays_and_speaks_on_make_up_days(task_for, owner):
    task_for("2026-10-09")

    holiday = sweep("2026-10-02")
    assert holiday.working_day is False and mail.outbox == []

    sweep("2026-10-10")  # 调休: a Saturday that is a working day
    (digest,) = mail_to(owner.email)
    assert "已逾期 1 天" in digest.body


def test_it_adds_the_leader_in_charge_after_two_weeks(task_for, owner, head, boss):
    task_for("2026-05-26")

    sweep("2026-06-03")  # a week late
    assert len(mail_to(owner.email)) == 1 and mail_to(boss.email) == []

    sweep("2026-06-10")  # over two weeks late
    (escalation,) = mail_to(boss.email)
    assert "已逾期 15 天" in escalation.body and "呈分管领导" in escalation.body


def test_it_asks_for_missing_monthly_updates_and_escalates_after_the_cutoff(
        task_for, owner, head):
    reported = task_for("2026-12-31", title="已报送的任务")
    silent = task_for("2026-12-31", title="未报送的任务")
    ProgressEntry.objects.create(task=reported, author=owner, reported_on=dt.date(2026, 6, 5),
                                 progress_text="按计划推进")

    sweep("2026-06-22")
    (reminder,) = mail_to(owner.email)
    assert silent.title in reminder.body and reported.title not in reminder.body
    assert "请于 2026-06-25 前报送本月进展" in reminder.body
    assert mail_to(head.email) == []

    sweep("2026-06-26")
    assert len(mail_to(owner.email)) == 2
    (escalation,) = mail_to(head.email)
    assert silent.title in escalation.body and "截止日 2026-06-25 已过" in escalation.body


def test_it_lets_people_switch_email_off_but_not_escalations(task_for, owner):
    notification_preference_update(user=owner, email_enabled=False)
    task_for("2026-06-17", title="即将到期的任务")
    task_for("2026-06-09", title="已经逾期的任务")

    sweep("2026-06-10")

    (digest,) = mail_to(owner.email)
    assert "已经逾期的任务" in digest.body
    assert "即将到期的任务" not in digest.body


def test_it_writes_english_for_people_who_chose_it(task_for, owner):
    notification_preference_update(user=owner, language="en")
    task_for("2026-06-17", title="Finish the bridge")

    sweep("2026-06-10")

    (digest,) = mail.outbox
    assert "Due soon" in digest.subject or "Reminder" in digest.subject
    assert "7 days left (deadline 2026-06-17)" in digest.body
    assert "Finish the bridge" in digest.alternatives[0][0]


def test_it_records_every_delivery_with_its_items(task_for, owner):
    task = task_for("2026-06-17")

    sweep("2026-06-10")

    delivery = Delivery.objects.get()
    assert (delivery.recipient, delivery.channel, delivery.kind) == (owner, "email", "digest")
    assert (delivery.state, delivery.attempts, delivery.last_error) == ("sent", 1, "")
    assert delivery.target == owner.email
    assert [item.reminder.task for item in delivery.items.all()] == [task]


def test_it_leaves_people_without_any_channel_out_and_says_so(task_for, owner):
    owner.email = ""
    owner.save()
    task_for("2026-06-17")

    summary = sweep("2026-06-10")

    assert summary.unreachable == {owner.pk}
    assert Delivery.objects.count() == 0
    assert any("无可用渠道" in line for line in summary.lines())


def test_it_finishes_a_sweep_that_died_after_recording(task_for, owner):
    task_for("2026-06-17")
    sweep("2026-06-10", deliver="none")  # recorded and attached, then the process died
    assert mail.outbox == [] and Delivery.objects.get().state == DeliveryState.PENDING

    sweep("2026-06-10")

    assert len(mail.outbox) == 1


def test_it_takes_over_a_claim_only_after_it_expires(task_for, owner, settings):
    task_for("2026-06-17")
    sweep("2026-06-10", deliver="none")
    # A worker claimed the digest at 08:30 and died before sending it.
    Delivery.objects.update(state=DeliveryState.SENDING, claimed_at=at("2026-06-10"),
                            attempts=1)

    sweep("2026-06-10")  # moments later: the claim is still live
    assert mail.outbox == []

    with time_machine.travel(at("2026-06-10", 8, 45), tick=False):
        deliveries_flush()
    assert len(mail.outbox) == 1
    assert Delivery.objects.get().attempts == 2


def test_it_retries_transient_email_failures_with_backoff(task_for, owner, settings):
    settings.EMAIL_BACKEND = "tests.reminders.backends.FlakyBackend"
    backends.FAILURES[:] = [backends.disconnected()]
    task_for("2026-06-17")

    summary = sweep("2026-06-10")

    delivery = Delivery.objects.get()
    assert summary.send.retrying == [delivery.pk] and mail.outbox == []
    assert delivery.state == DeliveryState.PENDING and "SMTP" in delivery.last_error
    assert delivery.next_attempt_at == at("2026-06-10", 8, 31)
    with time_machine.travel(at("2026-06-10", 8, 30, ), tick=False):
        deliveries_flush()  # not yet due
    assert mail.outbox == []
    with time_machine.travel(at("2026-06-10", 8, 31), tick=False):
        deliveries_flush()
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.last_error) == ("sent", 2, "")
    assert len(mail.outbox) == 1


def test_it_gives_up_after_the_last_attempt_and_keeps_the_failure(task_for, owner, settings):
    settings.EMAIL_BACKEND = "tests.reminders.backends.FlakyBackend"
    settings.TRACKER_REMINDER_MAX_ATTEMPTS = 2
    backends.FAILURES[:] = [backends.disconnected(), backends.disconnected()]
    task_for("2026-06-17")

    sweep("2026-06-10")
    with time_machine.travel(at("2026-06-10", 9), tick=False):
        deliveries_flush()

    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.attempts) == (DeliveryState.FAILED, 2)
    assert "Connection unexpectedly closed" in delivery.last_error
    with time_machine.travel(at("2026-06-10", 12), tick=False):
        assert deliveries_flush().send.sent == 0


def test_it_fails_at_once_when_the_server_refuses_the_address(task_for, owner, settings):
    settings.EMAIL_BACKEND = "tests.reminders.backends.FlakyBackend"
    backends.FAILURES[:] = [backends.refused(owner.email)]
    task_for("2026-06-17")

    summary = sweep("2026-06-10")

    assert summary.send.failed == 1
    assert Delivery.objects.get().state == DeliveryState.FAILED


def test_it_sends_a_late_item_in_a_second_digest_rather_than_losing_it(task_for, owner):
    task_for("2026-06-17", title="早上就到期提醒的任务")
    sweep("2026-06-10")
    task_for("2026-06-17", title="上午新增的任务")  # added after the morning sweep

    sweep("2026-06-10")

    assert len(mail.outbox) == 2
    assert "上午新增的任务" in mail.outbox[1].body
    assert "早上就到期提醒的任务" not in mail.outbox[1].body


def test_a_dry_run_counts_the_same_and_writes_nothing(task_for, owner, head):
    task_for("2026-06-09")
    task_for("2026-06-17")

    dry = sweep("2026-06-10", dry_run=True)
    assert Reminder.objects.count() == 0 and Delivery.objects.count() == 0
    assert mail.outbox == []
    real = sweep("2026-06-10")

    assert dry.items_per_rule == real.items_per_rule == {"overdue": 2, "due_soon": 1}
    assert dry.recipients == real.recipients
    assert dry.deliveries == real.deliveries == 2


def test_the_sweep_reads_in_batches_not_per_item(task_for, owner, settings,
                                                 django_assert_max_num_queries):
    """Planning and recording cost the same for 3 tasks and for 9: one batch each."""
    settings.TRACKER_REMINDER_BATCH_SIZE = 100
    for _n in range(9):
        task_for("2026-06-17")
    with django_assert_max_num_queries(40) as captured:
        sweep("2026-06-10", deliver="none")
    nine = len(captured.captured_queries)
    Reminder.objects.all().delete()
    Delivery.objects.all().delete()
    for task in list(owner.responsible_tasks.all())[3:]:
        task.delete()
    with django_assert_max_num_queries(40) as captured:
        sweep("2026-06-10", deliver="none")
    assert len(captured.captured_queries) == nine


def test_it_groups_robot_messages_per_person_and_department(task_for, owner, department,
                                                            monkeypatch):
    posted = []
    monkeypatch.setattr("tracker.channels.wecom.post_json",
                        lambda url, payload, **kw: posted.append(payload) or {"errcode": 0})
    DepartmentRobot.objects.create(department=department, channel="wecom",
                                   url="https://robot.example/send?key=k")
    task_for("2026-06-17")
    task_for("2026-06-09")

    sweep("2026-06-10")

    # One post per person: the owner's two items, and the head's copy of the late one.
    assert len(posted) == 2 and len(mail.outbox) == 2
    owners_post = next(p["markdown"]["content"] for p in posted
                       if owner.display_name in p["markdown"]["content"])
    assert posted[0]["msgtype"] == "markdown"
    assert "逾期督办" in owners_post and "即将到期" in owners_post
    assert set(Delivery.objects.values_list("channel", flat=True)) == {"email", "wecom"}


def test_it_sends_pending_nudges_even_on_holidays(task_for, owner, supervisor):
    from tracker.services.reminders import task_nudge

    task = task_for("2026-10-30")
    with time_machine.travel(at("2026-10-01"), tick=False):
        task_nudge(task=task, actor_user=supervisor)  # broker in memory: nobody consumes
        summary = reminders_sweep()
    assert summary.working_day is False
    assert [m.subject[:7] for m in mail_to(owner.email)] == ["【督查室催办】"]
    assert Delivery.objects.filter(kind=DeliveryKind.NUDGE, state="sent").count() == 2


def test_it_sends_each_delivery_once_when_two_senders_race(task_for, owner):
    task_for("2026-06-17")
    sweep("2026-06-10", deliver="none")
    ids = list(Delivery.objects.values_list("id", flat=True))

    with time_machine.travel(at("2026-06-10"), tick=False):
        first, second = deliveries_send(ids), deliveries_send(ids)

    assert (first.sent, second.sent, second.skipped) == (1, 0, 1)
    assert len(mail.outbox) == 1


def test_inactive_people_get_nothing(task_for, owner):
    owner.is_active = False
    owner.save()
    task_for("2026-06-17")
    sweep("2026-06-10")
    assert mail.outbox == []


def test_a_leader_without_a_department_is_reached_by_email(task_for, boss):
    assert boss.department_id is None
    task_for("2026-05-26")
    sweep("2026-06-10")
    assert len(mail_to(boss.email)) == 1
