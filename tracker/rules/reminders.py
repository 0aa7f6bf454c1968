"""催办 / 督办: which reminders go out on a given day, to whom, and through which channels.

Pure functions of plain facts, one day (`today`), a working-day calendar and a policy: no
clock, no ORM. The sweep (tracker.services.reminders), the admin preview and the
`send_reminders` command all ask here, so they always agree.

The rules (defaults from settings, see ReminderPolicy):

* due soon: 7, 3 and 1 days before a deadline; due today on the deadline. A reminder whose
  day is not a working day moves to the working day before it, so it still arrives before
  the deadline; when two land on the same day only the most urgent is sent.
* overdue: the day after the deadline, then every 7 days until done. Copied to the head of
  the lead department; the leader in charge is added once the task is 14 days late. A day
  that is not a working day moves to the next working day.
* update due: every task owes a progress entry each calendar month, by the cutoff day
  (the 25th). A few days before the cutoff, owners without an entry this month are
  reminded; the first working day after it, they and their department head are escalated.
* milestones follow the deadline rules with their own due date.
* done items are never reminded, and nothing goes out on weekends or official holidays;
  调休 make-up working days are working days.
"""

from __future__ import annotations

import calendar as _calendar
import datetime as dt
import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

from django.db import models
from django.utils.translation import gettext_lazy as _

ONE_DAY = dt.timedelta(days=1)
# The longest run of non-working days to look past (Spring Festival with weekends is 9).
MAX_NON_WORKING_RUN = 31


class ReminderRule(models.TextChoices):
    """Declared in digest order: overdue first."""

    OVERDUE = "overdue", _("逾期督办")
    UPDATE_MISSED = "update_missed", _("逾期未报送进展")
    NUDGE = "nudge", _("催办")
    DUE_TODAY = "due_today", _("今日到期")
    DUE_SOON = "due_soon", _("即将到期")
    UPDATE_DUE = "update_due", _("进展报送提醒")


RULE_ORDER = {rule: index for index, rule in enumerate(ReminderRule)}
# 督办: reminders about something already late, and staff's own 催办, reach the person even
# when they switched their channels off (see channels_for).
UNMUTABLE_RULES = frozenset({ReminderRule.OVERDUE, ReminderRule.UPDATE_MISSED,
                             ReminderRule.NUDGE})


class RecipientRole(models.TextChoices):
    RESPONSIBLE = "responsible", _("责任人")
    # The lead department's head stands in when a task has no responsible person yet.
    LEAD_DEPARTMENT = "lead_department", _("责任单位负责人")
    DEPARTMENT_HEAD = "department_head", _("部门负责人（抄送）")
    LEADER = "leader", _("分管领导")


class Channel(models.TextChoices):
    EMAIL = "email", _("电子邮件")
    WECOM = "wecom", _("企业微信群机器人")
    DINGTALK = "dingtalk", _("钉钉群机器人")
    WEBHOOK = "webhook", _("通用 Webhook")


ROBOT_CHANNELS = frozenset({Channel.WECOM, Channel.DINGTALK, Channel.WEBHOOK})


# ---------------------------------------------------------------- working days


class WorkCalendar(Protocol):
    def is_workday(self, day: dt.date) -> bool: ...


class WeekdayCalendar:
    """Monday to Friday. What ChineseWorkCalendar falls back to for years without data."""

    def is_workday(self, day: dt.date) -> bool:
        return day.weekday() < 5

    def covers(self, day: dt.date) -> bool:
        return True


class EveryDayCalendar:
    """For deployments that remind on weekends and holidays too."""

    def is_workday(self, day: dt.date) -> bool:
        return True

    def covers(self, day: dt.date) -> bool:
        return True


@functools.lru_cache(maxsize=4096)
def _official_workday(day: dt.date) -> bool | None:
    """chinese-calendar's answer, or None for a year it has no data for. Cached: a sweep
    asks about the same few dozen days for every item."""
    import chinese_calendar

    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return None


class ChineseWorkCalendar:
    """Official public holidays and 调休 make-up working days (the chinese-calendar package).

    The package ships each year's schedule once the State Council publishes it (usually in
    November). For a year it does not know yet, weekends are the only days off: the sweep
    logs that (`covers`), and upgrading the package fixes it.
    """

    def is_workday(self, day: dt.date) -> bool:
        official = _official_workday(day)
        return day.weekday() < 5 if official is None else official

    def covers(self, day: dt.date) -> bool:
        return _official_workday(day) is not None


def workday_on_or_before(day: dt.date, calendar: WorkCalendar) -> dt.date:
    for _step in range(MAX_NON_WORKING_RUN):
        if calendar.is_workday(day):
            return day
        day -= ONE_DAY
    return day


def workday_on_or_after(day: dt.date, calendar: WorkCalendar) -> dt.date:
    for _step in range(MAX_NON_WORKING_RUN):
        if calendar.is_workday(day):
            return day
        day += ONE_DAY
    return day


def next_workday_after(day: dt.date, calendar: WorkCalendar) -> dt.date:
    return workday_on_or_after(day + ONE_DAY, calendar)


# ---------------------------------------------------------------- policy and facts


@dataclass(frozen=True)
class ReminderPolicy:
    days_before: tuple[int, ...] = (7, 3, 1)
    overdue_repeat_days: int = 7
    escalate_after_days: int = 14
    cutoff_day: int = 25
    update_days_before: int = 3

    @classmethod
    def from_settings(cls) -> ReminderPolicy:
        from django.conf import settings

        return cls(
            days_before=tuple(sorted({d for d in settings.TRACKER_REMINDER_DAYS_BEFORE
                                      if d > 0}, reverse=True)),
            overdue_repeat_days=settings.TRACKER_REMINDER_OVERDUE_REPEAT_DAYS,
            escalate_after_days=settings.TRACKER_REMINDER_ESCALATE_AFTER_DAYS,
            cutoff_day=settings.TRACKER_REPORTING_CUTOFF_DAY,
            update_days_before=settings.TRACKER_REMINDER_UPDATE_DAYS_BEFORE,
        )


@dataclass(frozen=True)
class ItemFacts:
    """What the rules need to know about a task or a milestone."""

    due: dt.date
    done: bool = False
    responsible_id: int | None = None
    # Head of the lead department (Department.head).
    department_head_id: int | None = None
    leader_id: int | None = None
    start_date: dt.date | None = None


@dataclass(frozen=True)
class Hit:
    """One reminder: its idempotency key is (item, recipient_id, rule, occurrence)."""

    rule: ReminderRule
    # The nominal day the rule is about: the deadline minus N days for due soon, the
    # deadline for due today, deadline + 1 + k*repeat for overdue, the cutoff for updates.
    occurrence: dt.date
    recipient_id: int
    role: RecipientRole


@dataclass(frozen=True)
class UpdateCycle:
    """Today is an update-reminder day for the reporting cycle ending on `cutoff`."""

    rule: ReminderRule
    cutoff: dt.date

    @property
    def starts_on(self) -> dt.date:
        """The cycle is the calendar month of the cutoff: entries from its first day count."""
        return self.cutoff.replace(day=1)


def _add_months(day: dt.date, months: int) -> dt.date:
    month_index = day.year * 12 + day.month - 1 + months
    return dt.date(month_index // 12, month_index % 12 + 1, 1)


def _cutoff_in(month_start: dt.date, cutoff_day: int) -> dt.date:
    last = _calendar.monthrange(month_start.year, month_start.month)[1]
    return month_start.replace(day=min(cutoff_day, last))


def update_cycle_on(today: dt.date, *, policy: ReminderPolicy,
                    calendar: WorkCalendar) -> UpdateCycle | None:
    """Whether `today` is the reminder day or the escalation day of a reporting cycle.

    Looks at the cutoffs of last, this and next month, because a reminder day can fall in
    the month before its cutoff and an escalation day after a long holiday in the month
    after.
    """
    if not calendar.is_workday(today):
        return None
    this_month = today.replace(day=1)
    for months in (0, -1, 1):
        cutoff = _cutoff_in(_add_months(this_month, months), policy.cutoff_day)
        remind_day = cutoff - dt.timedelta(days=policy.update_days_before)
        if workday_on_or_before(remind_day, calendar) == today:
            return UpdateCycle(ReminderRule.UPDATE_DUE, cutoff)
        if next_workday_after(cutoff, calendar) == today:
            return UpdateCycle(ReminderRule.UPDATE_MISSED, cutoff)
    return None


# ---------------------------------------------------------------- who gets what


def _owners(facts: ItemFacts) -> list[tuple[int, RecipientRole]]:
    if facts.responsible_id is not None:
        return [(facts.responsible_id, RecipientRole.RESPONSIBLE)]
    if facts.department_head_id is not None:
        return [(facts.department_head_id, RecipientRole.LEAD_DEPARTMENT)]
    return []


def _hits(rule: ReminderRule, occurrence: dt.date,
          recipients: Iterable[tuple[int | None, RecipientRole]]) -> list[Hit]:
    """One hit per recipient; a person in two roles (responsible and head) is told once,
    in the first role listed."""
    seen: set[int] = set()
    hits = []
    for recipient_id, role in recipients:
        if recipient_id is None or recipient_id in seen:
            continue
        seen.add(recipient_id)
        hits.append(Hit(rule, occurrence, recipient_id, role))
    return hits


def _before_deadline(due: dt.date, today: dt.date, policy: ReminderPolicy,
                     calendar: WorkCalendar) -> tuple[ReminderRule, dt.date] | None:
    """The most urgent before-deadline reminder whose (moved) day is today, if any."""
    candidates = [(ReminderRule.DUE_TODAY, due)]
    candidates += [(ReminderRule.DUE_SOON, due - dt.timedelta(days=n))
                   for n in sorted(policy.days_before)]
    for rule, nominal in candidates:  # most urgent first
        if workday_on_or_before(nominal, calendar) == today:
            return rule, nominal
    return None


def _overdue_occurrence(due: dt.date, today: dt.date, policy: ReminderPolicy,
                        calendar: WorkCalendar) -> dt.date | None:
    """The latest overdue occurrence (due+1, due+1+repeat, ...) whose day moved to today.

    A long holiday can carry two occurrences onto the same working day; only the latest
    is sent.
    """
    repeat = policy.overdue_repeat_days
    k = ((today - due).days - 1) // repeat
    while k >= 0:
        nominal = due + dt.timedelta(days=1 + k * repeat)
        if (today - nominal).days > MAX_NON_WORKING_RUN:
            return None
        if workday_on_or_after(nominal, calendar) == today:
            return nominal
        k -= 1
    return None


def deadline_hits(facts: ItemFacts, *, today: dt.date, policy: ReminderPolicy,
                  calendar: WorkCalendar) -> list[Hit]:
    """Due-soon, due-today and overdue reminders for a task or milestone on `today`."""
    if facts.done or not calendar.is_workday(today):
        return []
    if today <= facts.due:
        found = _before_deadline(facts.due, today, policy, calendar)
        if found is None:
            return []
        rule, occurrence = found
        return _hits(rule, occurrence, _owners(facts))
    occurrence = _overdue_occurrence(facts.due, today, policy, calendar)
    if occurrence is None:
        return []
    recipients = [*_owners(facts), (facts.department_head_id, RecipientRole.DEPARTMENT_HEAD)]
    if (today - facts.due).days >= policy.escalate_after_days:
        recipients.append((facts.leader_id, RecipientRole.LEADER))
    return _hits(ReminderRule.OVERDUE, occurrence, recipients)


def update_hits(facts: ItemFacts, *, cycle: UpdateCycle | None,
                reported_in_cycle: bool) -> list[Hit]:
    """Update-due / update-missed reminders for a task without an entry this cycle."""
    if cycle is None or facts.done or reported_in_cycle:
        return []
    if facts.start_date is not None and facts.start_date > cycle.cutoff:
        return []  # not started yet: nothing to report on
    recipients = list(_owners(facts))
    if cycle.rule == ReminderRule.UPDATE_MISSED:
        recipients.append((facts.department_head_id, RecipientRole.DEPARTMENT_HEAD))
    return _hits(cycle.rule, cycle.cutoff, recipients)


def nudge_hits(facts: ItemFacts, *, today: dt.date) -> list[Hit]:
    """催办 now: the owners, and the department head when someone else is responsible."""
    if facts.done:
        return []
    return _hits(ReminderRule.NUDGE, today,
                 [*_owners(facts), (facts.department_head_id, RecipientRole.DEPARTMENT_HEAD)])


# ---------------------------------------------------------------- channels and digests


@dataclass(frozen=True)
class ChannelOptions:
    """`available`: channels that can reach the person (an e-mail address, a robot of their
    department); `chosen`: the ones they switched on (NotificationPreference)."""

    available: frozenset[Channel]
    chosen: frozenset[Channel] = field(default_factory=lambda: frozenset(Channel))


def channels_for(rule: ReminderRule, options: ChannelOptions) -> frozenset[Channel]:
    """The channels one reminder goes out on.

    Escalations (UNMUTABLE_RULES) cannot be muted: they always go by e-mail when the person
    has an address, and to every channel that reaches them when they have none.
    """
    channels = set(options.chosen & options.available)
    if rule in UNMUTABLE_RULES:
        if Channel.EMAIL in options.available:
            channels.add(Channel.EMAIL)
        elif not channels:
            channels = set(options.available)
    return frozenset(channels)


def digest_sort_key(rule: str, due: dt.date, title: str) -> tuple:
    """Digest order: by rule (overdue first), then the earliest due date."""
    return (RULE_ORDER.get(ReminderRule(rule), len(RULE_ORDER)), due, title)
