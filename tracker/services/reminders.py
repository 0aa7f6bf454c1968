"""Reminders: plan a day's reminders, record each one once, and deliver them as digests.

A sweep for `today` (reminders_sweep):

1. Skip days that are not working days (weekends and official holidays; 调休 make-up
   days are working days).
2. Plan: read open tasks and milestones in batches and ask tracker.rules.reminders who
   gets what. Nothing is written.
3. Record: insert one Reminder per hit. The unique key (item, recipient, rule,
   occurrence) turns a second sweep's inserts into no-ops, so overlapping or retried
   sweeps never record, and so never send, a reminder twice.
4. Attach: put every recipient's reminders that have not gone out on a channel yet into
   that day's open digest for the channel (one pending Delivery per person, channel and
   day; a partial unique constraint), holding a row lock on the digest so no sender can
   claim it half-filled.
5. Deliver: each pending delivery is claimed with a conditional
   `UPDATE ... WHERE state='pending'`; only the sweep whose update returned 1 sends it,
   then marks it sent, or records the error and when to try again.

A sweep that dies anywhere leaves rows that the next sweep (or the ten-minute flush job)
finishes: unattached reminders are attached, pending deliveries are sent, and a claim
older than TRACKER_REMINDER_CLAIM_TIMEOUT is taken over. The one case that can repeat a
message is a worker dying between the channel accepting it and the row being marked
sent: a window of one message, which is why deliveries are marked one by one.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from tracker.channels import (
    Message,
    PermanentDeliveryError,
    TransientDeliveryError,
    sender_for,
)
from tracker.choices import Status
from tracker.models import (
    Delivery,
    DeliveryItem,
    DeliveryKind,
    DeliveryState,
    DepartmentRobot,
    Milestone,
    NotificationPreference,
    ProgressEntry,
    Reminder,
    Task,
)
from tracker.rules.permissions import Actor, can_override_status
from tracker.rules.reminders import (
    MAX_NON_WORKING_RUN,
    ROBOT_CHANNELS,
    RULE_ORDER,
    Channel,
    ChannelOptions,
    ChineseWorkCalendar,
    EveryDayCalendar,
    ItemFacts,
    ReminderPolicy,
    ReminderRule,
    UpdateCycle,
    WorkCalendar,
    channels_for,
    deadline_hits,
    digest_sort_key,
    nudge_hits,
    update_cycle_on,
    update_hits,
)

from .errors import PermissionDenied, ValidationError

logger = logging.getLogger(__name__)

# Reminders recorded up to this many days ago that never reached a channel (a sweep died
# between recording and attaching) join the next digest instead of being lost.
ATTACH_WINDOW_DAYS = 7
# Deliveries loaded per round of sending; each is still claimed and marked on its own.
SEND_CHUNK = 100
# Backoff after the n-th failed attempt: 1, 2, 4, 8 ... minutes, at most an hour.
BACKOFF_BASE_SECONDS = 60
BACKOFF_MAX_SECONDS = 3600


def reminder_calendar() -> WorkCalendar:
    if settings.TRACKER_REMINDER_WORKING_DAYS_ONLY:
        return ChineseWorkCalendar()
    return EveryDayCalendar()


def backoff_seconds(attempts: int) -> int:
    return min(BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0), BACKOFF_MAX_SECONDS)


# ---------------------------------------------------------------- planning (reads only)


@dataclass(frozen=True)
class PlannedReminder:
    """A hit of the rules, with what a summary or preview shows about its item."""

    task_id: int
    milestone_id: int | None
    recipient_id: int
    rule: str
    occurrence: dt.date
    role: str
    due: dt.date
    code: str
    title: str

    @property
    def key(self) -> tuple:
        return (self.task_id, self.milestone_id, self.recipient_id, self.rule, self.occurrence)

    @property
    def rule_label(self) -> str:
        return str(ReminderRule(self.rule).label)


def _keyset(qs, batch_size: int) -> Iterator[list[dict]]:
    """Rows of a .values() queryset in id order, one query per batch (no OFFSET)."""
    last_id = 0
    while True:
        rows = list(qs.filter(id__gt=last_id).order_by("id")[:batch_size])
        if not rows:
            return
        yield rows
        last_id = rows[-1]["id"]


def reminders_plan(*, today: dt.date, policy: ReminderPolicy | None = None,
                   calendar: WorkCalendar | None = None,
                   batch_size: int | None = None) -> Iterator[list[PlannedReminder]]:
    """The reminders the rules give for `today`, in batches. Reads only.

    Tasks whose deadline is further away than any before-deadline reminder are skipped
    in the database, except on update-reminder days, when every open task counts.
    """
    policy = policy or ReminderPolicy.from_settings()
    calendar = calendar or reminder_calendar()
    batch_size = batch_size or settings.TRACKER_REMINDER_BATCH_SIZE
    if not calendar.is_workday(today):
        return
    cycle = update_cycle_on(today, policy=policy, calendar=calendar)
    horizon = today + dt.timedelta(days=max(policy.days_before, default=0)
                                   + MAX_NON_WORKING_RUN)

    tasks = Task.objects.exclude(status=Status.DONE)  # task_deadline_status_idx
    if cycle is None:
        tasks = tasks.filter(deadline__lte=horizon)
    else:
        tasks = tasks.annotate(reported=Exists(ProgressEntry.objects.filter(
            task=OuterRef("pk"), reported_on__gte=cycle.starts_on)))  # progress_task_recent_idx
    task_fields = ["id", "code", "title", "deadline", "start_date", "responsible_id",
                   "leader_id", "lead_department__head_id"]
    if cycle is not None:
        task_fields.append("reported")
    for rows in _keyset(tasks.values(*task_fields), batch_size):
        yield list(_task_hits(rows, today=today, policy=policy, calendar=calendar,
                              cycle=cycle))

    milestones = (Milestone.objects.filter(completed_on__isnull=True, due_date__lte=horizon)
                  .exclude(task__status=Status.DONE))  # milestone_open_due_idx
    milestone_fields = ["id", "title", "due_date", "task_id", "task__code", "task__start_date",
                        "task__responsible_id", "task__leader_id",
                        "task__lead_department__head_id"]
    for rows in _keyset(milestones.values(*milestone_fields), batch_size):
        batch = []
        for row in rows:
            facts = ItemFacts(due=row["due_date"], responsible_id=row["task__responsible_id"],
                              department_head_id=row["task__lead_department__head_id"],
                              leader_id=row["task__leader_id"],
                              start_date=row["task__start_date"])
            for hit in deadline_hits(facts, today=today, policy=policy, calendar=calendar):
                batch.append(PlannedReminder(
                    task_id=row["task_id"], milestone_id=row["id"],
                    recipient_id=hit.recipient_id, rule=hit.rule, occurrence=hit.occurrence,
                    role=hit.role, due=row["due_date"], code=row["task__code"],
                    title=row["title"]))
        yield batch


def _task_hits(rows: Iterable[dict], *, today: dt.date, policy: ReminderPolicy,
               calendar: WorkCalendar, cycle: UpdateCycle | None
               ) -> Iterator[PlannedReminder]:
    for row in rows:
        facts = ItemFacts(due=row["deadline"], responsible_id=row["responsible_id"],
                          department_head_id=row["lead_department__head_id"],
                          leader_id=row["leader_id"], start_date=row["start_date"])
        hits = deadline_hits(facts, today=today, policy=policy, calendar=calendar)
        hits += update_hits(facts, cycle=cycle, reported_in_cycle=row.get("reported", True))
        for hit in hits:
            yield PlannedReminder(
                task_id=row["id"], milestone_id=None, recipient_id=hit.recipient_id,
                rule=hit.rule, occurrence=hit.occurrence, role=hit.role,
                due=cycle.cutoff if hit.rule in (ReminderRule.UPDATE_DUE,
                                                 ReminderRule.UPDATE_MISSED) and cycle
                else row["deadline"],
                code=row["code"], title=row["title"])


def _recorded_keys(batch: Sequence[PlannedReminder]) -> set[tuple]:
    """Which of the batch's keys are already recorded (one query)."""
    if not batch:
        return set()
    rows = Reminder.objects.filter(
        task_id__in={p.task_id for p in batch},
        recipient_id__in={p.recipient_id for p in batch},
        occurrence__in={p.occurrence for p in batch},
    ).values_list("task_id", "milestone_id", "recipient_id", "rule", "occurrence")
    return set(rows)


# ---------------------------------------------------------------- channels of people


def channel_options(users: Iterable[User]) -> dict[int, ChannelOptions]:
    """What reaches each person: their address and their department's active robots, and
    what they chose. Two queries for any number of people (preferences, robots)."""
    users = list(users)
    preferences = {p.user_id: p for p in NotificationPreference.objects.filter(
        user_id__in=[u.pk for u in users])}
    robots: dict[int, set[Channel]] = defaultdict(set)
    department_ids = {u.department_id for u in users if u.department_id}
    for department_id, channel in DepartmentRobot.objects.filter(
            department_id__in=department_ids, is_active=True).values_list("department_id",
                                                                          "channel"):
        robots[department_id].add(Channel(channel))
    options = {}
    for user in users:
        if not user.is_active:
            options[user.pk] = ChannelOptions(available=frozenset())
            continue
        available = set(robots.get(user.department_id, ()))
        if (user.email or "").strip():
            available.add(Channel.EMAIL)
        preference = preferences.get(user.pk)
        chosen = preference.chosen_channels if preference else frozenset(Channel)
        options[user.pk] = ChannelOptions(available=frozenset(available), chosen=chosen)
    return options


# ---------------------------------------------------------------- the sweep


@dataclass
class SendResult:
    sent: int = 0
    retrying: list[int] = field(default_factory=list)
    failed: int = 0
    skipped: int = 0  # claimed elsewhere, or nothing left to send

    def add(self, other: SendResult) -> None:
        self.sent += other.sent
        self.retrying += other.retrying
        self.failed += other.failed
        self.skipped += other.skipped


@dataclass
class SweepSummary:
    day: dt.date
    dry_run: bool
    working_day: bool = True
    calendar_covers: bool = True
    items_per_rule: Counter = field(default_factory=Counter)
    recipients: set[int] = field(default_factory=set)
    new_reminders: int = 0
    already_recorded: int = 0
    # Digests filled (or, in a dry run, that would be): one per person and channel.
    deliveries: int = 0
    unreachable: set[int] = field(default_factory=set)
    enqueued: int = 0
    send: SendResult = field(default_factory=SendResult)
    planned: list[PlannedReminder] = field(default_factory=list)

    def lines(self) -> list[str]:
        """The summary `send_reminders` prints."""
        if not self.working_day:
            return [_("%(day)s 不是工作日，不发送提醒。") % {"day": self.day}]
        mode = _("（演练，未发送、未记录）") if self.dry_run else ""
        lines = [_("%(day)s 提醒%(mode)s：接收人 %(people)d 位，提醒 %(items)d 条"
                   "（新增 %(new)d，此前已记录 %(old)d）")
                 % {"day": self.day, "mode": mode, "people": len(self.recipients),
                    "items": sum(self.items_per_rule.values()), "new": self.new_reminders,
                    "old": self.already_recorded}]
        for rule in sorted(self.items_per_rule, key=lambda r: RULE_ORDER[ReminderRule(r)]):
            lines.append(f"  {ReminderRule(rule).label}: {self.items_per_rule[rule]}")
        if self.dry_run:
            lines.append(_("消息：将新建 %(n)d 份每日汇总") % {"n": self.deliveries})
        else:
            lines.append(
                _("消息：填充每日汇总 %(digests)d 份；发送成功 %(sent)d，待重试 %(retry)d，"
                  "失败 %(failed)d，已入队 %(queued)d")
                % {"digests": self.deliveries, "sent": self.send.sent,
                   "retry": len(self.send.retrying), "failed": self.send.failed,
                   "queued": self.enqueued})
        if self.unreachable:
            lines.append(_("无可用渠道（无邮箱、部门未配置机器人或账号停用）的接收人：%(n)d 位")
                         % {"n": len(self.unreachable)})
        if not self.calendar_covers:
            lines.append(_("注意：节假日日历未包含该年份，仅按周末判断工作日；请升级 "
                           "chinese-calendar。"))
        return lines


def reminders_sweep(*, today: dt.date | None = None, dry_run: bool = False,
                    deliver: str = "inline", keep_planned: bool = False) -> SweepSummary:
    """Run one sweep for `today` (see the module docstring for the steps).

    `deliver`: "inline" sends in this process (the `send_reminders` command), "enqueue"
    hands the pending deliveries to Celery workers (the beat-scheduled task), "none"
    records only. A dry run reads and counts, and writes nothing.
    """
    today = today or timezone.localdate()
    calendar = reminder_calendar()
    summary = SweepSummary(day=today, dry_run=dry_run)
    covers = getattr(calendar, "covers", None)
    if covers is not None and not covers(today):
        summary.calendar_covers = False
        logger.warning("chinese-calendar has no holiday data for %s; treating only weekends "
                       "as days off. Upgrade the package.", today.year)
    if not calendar.is_workday(today):
        summary.working_day = False
        if not dry_run and deliver != "none":
            # Nudges and retries still go out on a holiday; only new reminders wait.
            _deliver_pending(summary, deliver=deliver)
        return summary

    new_pairs: set[tuple[int, str]] = set()
    for batch in reminders_plan(today=today, calendar=calendar):
        if not batch:
            continue
        recorded = _recorded_keys(batch)
        fresh = [p for p in batch if p.key not in recorded]
        summary.already_recorded += len(batch) - len(fresh)
        summary.new_reminders += len(fresh)
        for planned in batch:
            summary.items_per_rule[planned.rule] += 1
            summary.recipients.add(planned.recipient_id)
        if keep_planned:
            summary.planned.extend(batch)
        if dry_run:
            new_pairs.update(_dry_run_pairs(fresh, summary))
            continue
        Reminder.objects.bulk_create(
            [Reminder(task_id=p.task_id, milestone_id=p.milestone_id,
                      recipient_id=p.recipient_id, rule=p.rule, occurrence=p.occurrence,
                      role=p.role, day=today) for p in fresh],
            ignore_conflicts=True)  # the idempotency key decides, not this process
    if dry_run:
        summary.deliveries = len(new_pairs)
        return summary
    summary.deliveries = reminders_attach(today=today, unreachable=summary.unreachable)
    if deliver != "none":
        _deliver_pending(summary, deliver=deliver)
    return summary


def _dry_run_pairs(fresh: list[PlannedReminder], summary: SweepSummary) -> set[tuple]:
    users = User.objects.filter(pk__in={p.recipient_id for p in fresh})
    options = channel_options(users)
    pairs = set()
    for planned in fresh:
        channels = channels_for(ReminderRule(planned.rule),
                                options.get(planned.recipient_id,
                                            ChannelOptions(available=frozenset())))
        if not channels:
            summary.unreachable.add(planned.recipient_id)
        pairs.update((planned.recipient_id, channel) for channel in channels)
    return pairs


def reminders_attach(*, today: dt.date, unreachable: set[int] | None = None,
                     batch_size: int | None = None) -> int:
    """Step 4: attach recorded reminders to the open digests of `today`.

    Returns how many digests received items. Queries per batch of reminders: the
    reminders, their existing items, the people, preferences and robots, then (in one
    transaction) the digest insert, the digest lock and the item insert.
    """
    batch_size = batch_size or settings.TRACKER_REMINDER_BATCH_SIZE
    window = (Reminder.objects.filter(day__gte=today - dt.timedelta(days=ATTACH_WINDOW_DAYS),
                                      day__lte=today)
              .exclude(rule=ReminderRule.NUDGE)  # a nudge is attached when it is created
              .values("id", "recipient_id", "rule"))
    touched: set[int] = set()
    for rows in _keyset(window, batch_size):
        carried: dict[int, set[str]] = defaultdict(set)
        for reminder_id, channel in DeliveryItem.objects.filter(
                reminder_id__in=[r["id"] for r in rows]).values_list("reminder_id", "channel"):
            carried[reminder_id].add(channel)
        options = channel_options(User.objects.filter(
            pk__in={r["recipient_id"] for r in rows}))
        wanted: dict[tuple[int, str], list[int]] = defaultdict(list)
        for row in rows:
            channels = channels_for(ReminderRule(row["rule"]),
                                    options.get(row["recipient_id"],
                                                ChannelOptions(available=frozenset())))
            if not channels and unreachable is not None:
                unreachable.add(row["recipient_id"])
            for channel in channels - carried[row["id"]]:
                wanted[(row["recipient_id"], channel)].append(row["id"])
        if wanted:
            touched |= _fill_digests(today, wanted)
    return len(touched)


def _fill_digests(today: dt.date, wanted: dict[tuple[int, str], list[int]]) -> set[int]:
    """Add reminders to each (person, channel)'s open digest of `today`, atomically.

    The lock matters: a sender claims a digest with UPDATE ... WHERE state='pending',
    which waits for this transaction; so it either claims before we lock (and we open a
    new digest for the late items) or after we commit (and it sends all of them).
    """
    recipient_ids = {recipient_id for recipient_id, _channel in wanted}
    # Concurrent sweeps insert and lock rows in the same (sorted) order, so they queue
    # behind each other on the unique indexes instead of deadlocking.
    wanted = {pair: sorted(wanted[pair]) for pair in sorted(wanted)}
    with transaction.atomic():
        open_digests: dict[tuple[int, str], Delivery] = {}
        for _round in range(3):
            missing = [pair for pair in wanted if pair not in open_digests]
            if not missing:
                break
            Delivery.objects.bulk_create(
                [Delivery(recipient_id=r, channel=c, day=today, kind=DeliveryKind.DIGEST)
                 for r, c in missing],
                ignore_conflicts=True)  # delivery_one_open_digest: another sweep's is ours
            for delivery in Delivery.objects.select_for_update().filter(
                    kind=DeliveryKind.DIGEST, state=DeliveryState.PENDING, day=today,
                    recipient_id__in=recipient_ids).order_by("id"):
                open_digests[(delivery.recipient_id, delivery.channel)] = delivery
        items = [DeliveryItem(delivery=open_digests[pair], reminder_id=reminder_id,
                              channel=pair[1])
                 for pair, reminder_ids in wanted.items() if pair in open_digests
                 for reminder_id in reminder_ids]
        # delivery_item_once_per_channel: what another sweep attached first stays there.
        DeliveryItem.objects.bulk_create(items, ignore_conflicts=True)
    return {open_digests[pair].pk for pair in wanted if pair in open_digests}


# ---------------------------------------------------------------- delivering


def _claimable(now: dt.datetime) -> Q:
    stale = now - dt.timedelta(seconds=settings.TRACKER_REMINDER_CLAIM_TIMEOUT)
    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    return (Q(state=DeliveryState.PENDING) & due) | Q(state=DeliveryState.SENDING,
                                                      claimed_at__lt=stale)


def delivery_pending_ids(*, now: dt.datetime | None = None) -> list[int]:
    """Deliveries ready to send: pending and due, or claimed long ago by a dead worker.
    Digests without items (left by a lost race, see _fill_digests) are not sent."""
    now = now or timezone.now()
    has_items = Exists(DeliveryItem.objects.filter(delivery=OuterRef("pk")))
    # delivery_unfinished_idx serves the state / next_attempt_at filter.
    return list(Delivery.objects.filter(_claimable(now)).filter(has_items)
                .order_by("id").values_list("id", flat=True))


def delivery_claim(delivery_id: int, *, now: dt.datetime) -> bool:
    """The claim: a conditional UPDATE; True only for the one caller whose update hit."""
    return Delivery.objects.filter(pk=delivery_id).filter(_claimable(now)).update(
        state=DeliveryState.SENDING, claimed_at=now, attempts=F("attempts") + 1,
        updated_at=now) == 1


def deliveries_send(delivery_ids: Sequence[int], *, now: dt.datetime | None = None
                    ) -> SendResult:
    """Claim, render and send each delivery; record the outcome on it.

    Channel errors are recorded on the delivery (not raised): a transient one puts it back
    to pending with a backoff until TRACKER_REMINDER_MAX_ATTEMPTS, a permanent one fails
    it for good. Anything else is a bug and propagates; the claim then expires and
    another sweep retries it.
    """
    result = SendResult()
    for start in range(0, len(delivery_ids), SEND_CHUNK):
        chunk = delivery_ids[start:start + SEND_CHUNK]
        claimed_at = now or timezone.now()
        # One transaction for the chunk's claims: one commit instead of one per row; each
        # claim is still its own conditional UPDATE, and the rows stay locked only until
        # this short block commits.
        with transaction.atomic():
            claimed = [pk for pk in chunk if delivery_claim(pk, now=claimed_at)]
        result.skipped += len(chunk) - len(claimed)
        if claimed:
            result.add(_send_claimed(claimed, claimed_at=claimed_at))
    return result


def _send_claimed(claimed: list[int], *, claimed_at: dt.datetime) -> SendResult:
    # Items are read after the claim, so everything attached before it is included.
    deliveries = list(Delivery.objects.filter(pk__in=claimed)
                      .select_related("recipient")  # the address, name and phone
                      .order_by("id"))
    items = defaultdict(list)
    for item in (DeliveryItem.objects.filter(delivery_id__in=claimed)
                 .select_related("reminder__task__lead_department",  # item lines
                                 "reminder__task__plan",  # the plan year
                                 "reminder__milestone")
                 .order_by("id")):
        items[item.delivery_id].append(item.reminder)
    languages = dict(NotificationPreference.objects.filter(
        user_id__in={d.recipient_id for d in deliveries}).values_list("user_id", "language"))
    robots = {(r.department_id, r.channel): r for r in DepartmentRobot.objects.filter(
        department_id__in={d.recipient.department_id for d in deliveries},
        channel__in=[c.value for c in ROBOT_CHANNELS], is_active=True)}

    result = SendResult()
    max_attempts = settings.TRACKER_REMINDER_MAX_ATTEMPTS
    for delivery in deliveries:
        owned = Delivery.objects.filter(pk=delivery.pk, state=DeliveryState.SENDING,
                                        claimed_at=claimed_at)
        reminders = items[delivery.pk]
        if not reminders:  # nothing due: nothing is sent
            owned.update(state=DeliveryState.PENDING, attempts=F("attempts") - 1)
            result.skipped += 1
            continue
        robot = None
        try:
            if delivery.channel != Channel.EMAIL:
                robot = robots.get((delivery.recipient.department_id, delivery.channel))
                if robot is None:
                    raise PermanentDeliveryError(_("所在部门未配置或已停用该机器人"))
            message = digest_message(delivery, reminders,
                                     language=languages.get(delivery.recipient_id),
                                     channel=delivery.channel)
            target = sender_for(delivery.channel).send(message, recipient=delivery.recipient,
                                                      robot=robot)
        except TransientDeliveryError as exc:
            if delivery.attempts >= max_attempts:
                owned.update(state=DeliveryState.FAILED, last_error=str(exc)[:2000],
                             robot=robot, updated_at=timezone.now())
                result.failed += 1
                logger.warning("delivery %s failed for good after %s attempts: %s",
                               delivery.pk, delivery.attempts, exc)
            else:
                retry_at = timezone.now() + dt.timedelta(
                    seconds=backoff_seconds(delivery.attempts))
                owned.update(state=DeliveryState.PENDING, last_error=str(exc)[:2000],
                             next_attempt_at=retry_at, robot=robot, updated_at=timezone.now())
                result.retrying.append(delivery.pk)
                logger.info("delivery %s will be retried at %s: %s", delivery.pk,
                            retry_at, exc)
        except PermanentDeliveryError as exc:
            owned.update(state=DeliveryState.FAILED, last_error=str(exc)[:2000], robot=robot,
                         updated_at=timezone.now())
            result.failed += 1
            logger.warning("delivery %s failed: %s", delivery.pk, exc)
        else:
            owned.update(state=DeliveryState.SENT, sent_at=timezone.now(), target=target[:300],
                         robot=robot, last_error="", updated_at=timezone.now())
            result.sent += 1
    return result


def _deliver_pending(summary: SweepSummary, *, deliver: str) -> None:
    ids = delivery_pending_ids()
    if deliver == "enqueue":
        from tracker.tasks import deliveries_enqueue

        summary.enqueued += deliveries_enqueue(ids)
    else:
        summary.send.add(deliveries_send(ids))


def deliveries_flush(*, deliver: str = "inline") -> SweepSummary:
    """Send what is pending (retries due, nudges whose enqueue failed, dead claims)."""
    summary = SweepSummary(day=timezone.localdate(), dry_run=False)
    _deliver_pending(summary, deliver=deliver)
    return summary


def sweep_missed(*, now: dt.datetime) -> bool:
    """Did today's daily sweep not happen, though it should have by `now`?

    Celery beat moves a schedule forward before it publishes, and only logs when the
    broker refuses the message; so a sweep due while Redis was down is simply skipped.
    The flush job asks this every ten minutes and runs the sweep itself when the answer
    is yes. "Happened" means a sweep reminder was recorded today; on a day when nothing
    was due the catch-up finds nothing either, and a second run is harmless because the
    idempotency key decides what is new.
    """
    local = timezone.localtime(now)
    if local.time() < settings.TRACKER_REMINDER_CATCH_UP_AFTER:
        return False
    return not Reminder.objects.filter(day=local.date()).exclude(
        rule=ReminderRule.NUDGE).exists()


# ---------------------------------------------------------------- messages


def _language(code: str | None) -> str:
    code = (code or settings.LANGUAGE_CODE).lower()
    return "en" if code.startswith("en") else "zh-hans"


def _item_context(reminder: Reminder, *, day: dt.date) -> dict:
    task = reminder.task
    milestone = reminder.milestone
    due = milestone.due_date if milestone else task.deadline
    if reminder.rule in (ReminderRule.UPDATE_DUE, ReminderRule.UPDATE_MISSED):
        due = reminder.occurrence  # the reporting cutoff
    return {
        "rule": reminder.rule,
        "role": reminder.role,
        "code": task.code,
        # Codes repeat across years' plans (a rebased plan keeps them), so show the year.
        "plan_year": task.plan.year,
        "task_title": task.title,
        "title": milestone.title if milestone else task.title,
        "is_milestone": milestone is not None,
        "due": due,
        "days_left": (due - day).days,
        "days_late": (day - due).days,
        "department": task.lead_department.short_name if task.lead_department else "",
        "url": settings.TRACKER_SITE_URL + reverse("ui:task", args=[task.pk]),
    }


def digest_message(delivery: Delivery, reminders: Sequence[Reminder], *,
                   language: str | None = None, channel: str | None = None) -> Message:
    """Render one delivery's message: items grouped by rule, overdue first.

    With a `channel`, only the forms that channel sends are rendered (templates are most
    of the cost of sending a message).
    """
    language = _language(language)
    lines = sorted((_item_context(r, day=delivery.day) for r in reminders),
                   key=lambda i: digest_sort_key(i["rule"], i["due"], i["code"]))
    groups: list[dict] = []
    for line in lines:
        if not groups or groups[-1]["rule"] != line["rule"]:
            groups.append({"rule": line["rule"], "items": []})
        groups[-1]["items"].append(line)
    recipient = delivery.recipient
    context = {
        "recipient": recipient,
        "name": recipient.display_name or recipient.username,
        "day": delivery.day,
        "groups": groups,
        "count": len(lines),
        "is_nudge": delivery.kind == DeliveryKind.NUDGE,
        "site_url": settings.TRACKER_SITE_URL,
    }
    base = f"emails/{language}/"
    subject = " ".join(render_to_string(base + "digest_subject.txt", context).split())
    data = {
        "event": "reminder.nudge" if context["is_nudge"] else "reminder.digest",
        "delivery_id": delivery.pk,
        "day": delivery.day.isoformat(),
        "recipient": {"id": recipient.pk, "username": recipient.username,
                      "name": context["name"], "email": recipient.email,
                      "phone": getattr(recipient, "phone", "")},
        "items": [{"rule": i["rule"], "role": i["role"], "task_code": i["code"],
                   "plan_year": i["plan_year"],
                   "title": i["title"], "task_title": i["task_title"],
                   "is_milestone": i["is_milestone"], "due": i["due"].isoformat(),
                   "department": i["department"], "url": i["url"]} for i in lines],
    }
    wants = {Channel.EMAIL: {"txt", "html"}, Channel.WECOM: {"md"},
             Channel.DINGTALK: {"md"}, Channel.WEBHOOK: set()}.get(channel,
                                                                  {"txt", "html", "md"})

    def render(form: str) -> str:
        return render_to_string(f"{base}digest.{form}", context) if form in wants else ""

    return Message(subject=subject, text=render("txt"), html=render("html"),
                   markdown=render("md"), data=data)


# ---------------------------------------------------------------- 催办 now


@dataclass
class NudgeResult:
    deliveries: list[int]
    recipients: list[int]
    already_nudged: list[int]


def task_nudge(*, task: Task, actor_user, today: dt.date | None = None) -> NudgeResult:
    """催办 now: one message to the task's owners at once, logged like every reminder.

    1. Only 督查室 may nudge (rules.permissions.can_override_status), and not a done task.
    2. Record a NUDGE reminder per owner; the key makes a second 催办 the same day a no-op.
    3. Create one delivery per owner and channel (nudges cannot be muted), with its item.
    4. After commit, hand the deliveries to Celery; when the broker is down they stay
       pending and the next sweep or flush sends them.
    """
    if not can_override_status(Actor.of(actor_user)):
        raise PermissionDenied(_("只有督查室可以催办。"))
    today = today or timezone.localdate()
    task = Task.objects.select_related("lead_department").get(pk=task.pk)
    if task.status == Status.DONE:
        raise ValidationError({"task": [_("任务已完成，无需催办。")]})
    facts = ItemFacts(due=task.deadline, responsible_id=task.responsible_id,
                      department_head_id=task.lead_department.head_id
                      if task.lead_department else None, leader_id=task.leader_id)
    hits = nudge_hits(facts, today=today)
    if not hits:
        raise ValidationError({"task": [_("该任务没有责任人或责任单位负责人，无法催办。")]})
    users = {u.pk: u for u in User.objects.filter(pk__in=[h.recipient_id for h in hits])}
    options = channel_options(users.values())
    result = NudgeResult(deliveries=[], recipients=[], already_nudged=[])
    with transaction.atomic():
        for hit in hits:
            reminder, created = Reminder.objects.get_or_create(
                task=task, milestone=None, recipient_id=hit.recipient_id, rule=hit.rule,
                occurrence=hit.occurrence,
                defaults={"role": hit.role, "day": today, "created_by": actor_user})
            if not created:
                result.already_nudged.append(hit.recipient_id)
                continue
            result.recipients.append(hit.recipient_id)
            for channel in sorted(channels_for(hit.rule, options[hit.recipient_id])):
                delivery = Delivery.objects.create(recipient_id=hit.recipient_id,
                                                   channel=channel, day=today,
                                                   kind=DeliveryKind.NUDGE)
                DeliveryItem.objects.create(delivery=delivery, reminder=reminder,
                                            channel=channel)
                result.deliveries.append(delivery.pk)
        if result.deliveries:
            from tracker.tasks import deliveries_enqueue_on_commit

            deliveries_enqueue_on_commit(result.deliveries)
    return result


# ---------------------------------------------------------------- staff tools


@dataclass
class RecipientPreview:
    user: User
    channels: list[str]
    items: list[PlannedReminder]


def reminders_preview(*, day: dt.date) -> tuple[SweepSummary, list[RecipientPreview]]:
    """Who would get what on `day`: the sweep's dry run, grouped by person.

    Keys already recorded are left out, so the list is what would actually go out.
    """
    summary = reminders_sweep(today=day, dry_run=True, keep_planned=True)
    by_person: dict[int, list[PlannedReminder]] = defaultdict(list)
    recorded: set[tuple] = set()
    for start in range(0, len(summary.planned), settings.TRACKER_REMINDER_BATCH_SIZE):
        recorded |= _recorded_keys(summary.planned[start:start
                                                    + settings.TRACKER_REMINDER_BATCH_SIZE])
    for planned in summary.planned:
        if planned.key not in recorded:
            by_person[planned.recipient_id].append(planned)
    users = list(User.objects.filter(pk__in=by_person).order_by("department_id", "id"))
    options = channel_options(users)
    people = []
    for user in users:
        items = sorted(by_person[user.pk],
                       key=lambda p: digest_sort_key(p.rule, p.due, p.code))
        channels: set[Channel] = set()
        for item in items:
            channels |= channels_for(ReminderRule(item.rule), options[user.pk])
        people.append(RecipientPreview(user=user, channels=sorted(channels), items=items))
    return summary, people


def next_reminder_day(after: dt.date) -> dt.date:
    """The next day a sweep sends reminders (the next working day)."""
    from tracker.rules.reminders import next_workday_after

    return next_workday_after(after, reminder_calendar())


def delivery_retry(*, delivery: Delivery, actor_user) -> bool:
    """督查室 sends a failed delivery again (after fixing an address or a robot).

    Returns False when the delivery was not in a failed state (nothing to do).
    """
    if not can_override_status(Actor.of(actor_user)):
        raise PermissionDenied(_("只有督查室可以重新发送提醒。"))
    return Delivery.objects.filter(pk=delivery.pk, state=DeliveryState.FAILED).update(
        state=DeliveryState.PENDING, attempts=0, next_attempt_at=None,
        updated_at=timezone.now()) == 1


def notification_preference_update(*, user: User, email_enabled: bool | None = None,
                                   wecom_enabled: bool | None = None,
                                   dingtalk_enabled: bool | None = None,
                                   webhook_enabled: bool | None = None,
                                   language: str | None = None) -> NotificationPreference:
    """A person switches channels on or off, or picks the message language.

    Switching e-mail off mutes due-soon and update-due reminders there; escalations still
    arrive (rules.reminders.channels_for).
    """
    if language is not None and language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": [_("不支持的语言。")]})
    preference, _created = NotificationPreference.objects.get_or_create(user=user)
    changes = {"email_enabled": email_enabled, "wecom_enabled": wecom_enabled,
               "dingtalk_enabled": dingtalk_enabled, "webhook_enabled": webhook_enabled,
               "language": language}
    fields = [name for name, value in changes.items() if value is not None]
    for name in fields:
        setattr(preference, name, changes[name])
    if fields:
        preference.save(update_fields=[*fields, "updated_at"])
    return preference
