"""The reminder rules as tables: pure functions of facts, a day and a calendar (no DB)."""

from __future__ import annotations

import datetime as dt

import pytest

from tracker.rules.reminders import (
    Channel,
    ChannelOptions,
    ChineseWorkCalendar,
    Hit,
    ItemFacts,
    RecipientRole,
    ReminderPolicy,
    ReminderRule,
    UpdateCycle,
    WeekdayCalendar,
    channels_for,
    deadline_hits,
    digest_sort_key,
    nudge_hits,
    update_cycle_on,
    update_hits,
)

D = dt.date.fromisoformat
POLICY = ReminderPolicy()
WEEKDAYS = WeekdayCalendar()
CHINA = ChineseWorkCalendar()
RESPONSIBLE, HEAD, LEADER = 1, 2, 3
R, DH, L = RecipientRole.RESPONSIBLE, RecipientRole.DEPARTMENT_HEAD, RecipientRole.LEADER
SOON, TODAY, LATE = ReminderRule.DUE_SOON, ReminderRule.DUE_TODAY, ReminderRule.OVERDUE


def facts(due: str, **kwargs) -> ItemFacts:
    return ItemFacts(**({"due": D(due), "responsible_id": RESPONSIBLE,
                         "department_head_id": HEAD, "leader_id": LEADER} | kwargs))


def hits(rule, occurrence: str, *people) -> list[Hit]:
    return [Hit(rule, D(occurrence), person, role) for person, role in people]


# A Wednesday deadline, Monday-to-Friday calendar.
@pytest.mark.parametrize(("today", "expected"), [
    ("2026-06-09", []),  # 8 days before: nothing
    ("2026-06-10", hits(SOON, "2026-06-10", (RESPONSIBLE, R))),  # 7 days before
    ("2026-06-11", []),
    ("2026-06-12", hits(SOON, "2026-06-14", (RESPONSIBLE, R))),  # 3 before is a Sunday: Friday
    ("2026-06-15", []),
    ("2026-06-16", hits(SOON, "2026-06-16", (RESPONSIBLE, R))),  # 1 day before
    ("2026-06-17", hits(TODAY, "2026-06-17", (RESPONSIBLE, R))),  # due today
    ("2026-06-18", hits(LATE, "2026-06-18", (RESPONSIBLE, R), (HEAD, DH))),  # the day after
    ("2026-06-19", []),
    ("2026-06-24", []),
    ("2026-06-25", hits(LATE, "2026-06-25", (RESPONSIBLE, R), (HEAD, DH))),  # a week later
    ("2026-07-01", []),
    ("2026-07-02", hits(LATE, "2026-07-02", (RESPONSIBLE, R), (HEAD, DH), (LEADER, L))),
    ("2026-07-09", hits(LATE, "2026-07-09", (RESPONSIBLE, R), (HEAD, DH), (LEADER, L))),
    ("2026-06-13", []),  # a Saturday: never
])
def test_it_reminds_before_on_and_after_a_deadline(today, expected):
    assert deadline_hits(facts("2026-06-17"), today=D(today), policy=POLICY,
                         calendar=WEEKDAYS) == expected


@pytest.mark.parametrize(("due", "today", "expected"), [
    # Monday deadline: 3 days before (Fri) and 1 day before (Sun -> Fri) meet on Friday;
    # only the more urgent goes out.
    ("2026-06-22", "2026-06-19", hits(SOON, "2026-06-21", (RESPONSIBLE, R))),
    # Sunday deadline: "due today" moves to Friday and wins over "1 day before".
    ("2026-06-28", "2026-06-26", hits(TODAY, "2026-06-28", (RESPONSIBLE, R))),
    ("2026-06-28", "2026-06-29", hits(LATE, "2026-06-29", (RESPONSIBLE, R), (HEAD, DH))),
    # Friday deadline: the day after is a Saturday, so overdue goes out on Monday.
    ("2026-06-19", "2026-06-22", hits(LATE, "2026-06-20", (RESPONSIBLE, R), (HEAD, DH))),
])
def test_it_moves_reminders_off_weekends_toward_the_safe_side(due, today, expected):
    assert deadline_hits(facts(due), today=D(today), policy=POLICY,
                         calendar=WEEKDAYS) == expected


@pytest.mark.parametrize(("due", "today", "expected"), [
    # National Day: 7 and 3 days before both fall in the holiday and meet on Sep 30.
    ("2026-10-09", "2026-09-30", hits(SOON, "2026-10-06", (RESPONSIBLE, R))),
    ("2026-10-09", "2026-10-02", []),  # a holiday on a Friday
    # 调休: Saturday Oct 10 is a working day, so the day-after reminder goes out on it.
    ("2026-10-09", "2026-10-10", hits(LATE, "2026-10-10", (RESPONSIBLE, R), (HEAD, DH))),
    ("2026-02-13", "2026-02-14", hits(LATE, "2026-02-14", (RESPONSIBLE, R), (HEAD, DH))),
    ("2026-02-13", "2026-02-16", []),  # Spring Festival
    # Two weekly occurrences inside Spring Festival land on the first working day after
    # it; only the later goes out, and the task is 16 days late, so the leader hears.
    ("2026-02-08", "2026-02-24",
     hits(LATE, "2026-02-23", (RESPONSIBLE, R), (HEAD, DH), (LEADER, L))),
])
def test_it_follows_official_holidays_and_make_up_working_days(due, today, expected):
    assert deadline_hits(facts(due), today=D(today), policy=POLICY,
                         calendar=CHINA) == expected


@pytest.mark.parametrize(("item", "expected"), [
    (facts("2026-06-17", done=True), []),
    (facts("2026-06-17", responsible_id=None),
     hits(SOON, "2026-06-10", (HEAD, RecipientRole.LEAD_DEPARTMENT))),
    (facts("2026-06-17", responsible_id=HEAD), hits(SOON, "2026-06-10", (HEAD, R))),
    (facts("2026-06-17", responsible_id=None, department_head_id=None), []),
])
def test_it_picks_the_owners_and_never_reminds_done_items(item, expected):
    assert deadline_hits(item, today=D("2026-06-10"), policy=POLICY,
                         calendar=WEEKDAYS) == expected


def test_it_tells_a_person_in_two_roles_once():
    late = facts("2026-06-17", responsible_id=HEAD)
    assert deadline_hits(late, today=D("2026-06-18"), policy=POLICY,
                         calendar=WEEKDAYS) == hits(LATE, "2026-06-18", (HEAD, R))


def test_it_reads_other_cadences_from_the_policy():
    policy = ReminderPolicy(days_before=(2,), overdue_repeat_days=3, escalate_after_days=4)
    assert deadline_hits(facts("2026-06-17"), today=D("2026-06-15"), policy=policy,
                         calendar=WEEKDAYS) == hits(SOON, "2026-06-15", (RESPONSIBLE, R))
    assert deadline_hits(facts("2026-06-17"), today=D("2026-06-10"), policy=policy,
                         calendar=WEEKDAYS) == []
    assert deadline_hits(facts("2026-06-17"), today=D("2026-06-22"), policy=policy,
                         calendar=WEEKDAYS) == hits(LATE, "2026-06-21", (RESPONSIBLE, R),
                                                    (HEAD, DH), (LEADER, L))


@pytest.mark.parametrize(("today", "calendar", "policy", "expected"), [
    ("2026-06-22", WEEKDAYS, POLICY, UpdateCycle(ReminderRule.UPDATE_DUE, D("2026-06-25"))),
    ("2026-06-23", WEEKDAYS, POLICY, None),
    ("2026-06-25", WEEKDAYS, POLICY, None),
    ("2026-06-26", WEEKDAYS, POLICY,
     UpdateCycle(ReminderRule.UPDATE_MISSED, D("2026-06-25"))),
    # Cutoff on a Saturday: the escalation waits for Monday.
    ("2026-07-27", WEEKDAYS, POLICY,
     UpdateCycle(ReminderRule.UPDATE_MISSED, D("2026-07-25"))),
    # The reminder day is a Sunday: it goes out on the Friday before.
    ("2026-11-20", WEEKDAYS, POLICY, UpdateCycle(ReminderRule.UPDATE_DUE, D("2026-11-25"))),
    # Mid-Autumn Festival on the cutoff: escalate on the next working day.
    ("2026-09-28", CHINA, POLICY, UpdateCycle(ReminderRule.UPDATE_MISSED, D("2026-09-25"))),
    # A cutoff at the month's end escalates in the next month.
    ("2026-03-02", CHINA, ReminderPolicy(cutoff_day=28),
     UpdateCycle(ReminderRule.UPDATE_MISSED, D("2026-02-28"))),
    ("2026-06-20", WEEKDAYS, POLICY, None),  # a Saturday
])
def test_it_knows_the_monthly_reporting_days(today, calendar, policy, expected):
    assert update_cycle_on(D(today), policy=policy, calendar=calendar) == expected


DUE = UpdateCycle(ReminderRule.UPDATE_DUE, D("2026-06-25"))
MISSED = UpdateCycle(ReminderRule.UPDATE_MISSED, D("2026-06-25"))


@pytest.mark.parametrize(("item", "cycle", "reported", "expected"), [
    (facts("2026-12-31"), DUE, False,
     hits(ReminderRule.UPDATE_DUE, "2026-06-25", (RESPONSIBLE, R))),
    (facts("2026-12-31"), DUE, True, []),
    (facts("2026-12-31"), MISSED, False,
     hits(ReminderRule.UPDATE_MISSED, "2026-06-25", (RESPONSIBLE, R), (HEAD, DH))),
    (facts("2026-12-31"), None, False, []),
    (facts("2026-12-31", done=True), MISSED, False, []),
    (facts("2026-12-31", start_date=D("2026-07-01")), DUE, False, []),
    (facts("2026-12-31", responsible_id=None), MISSED, False,
     hits(ReminderRule.UPDATE_MISSED, "2026-06-25", (HEAD, RecipientRole.LEAD_DEPARTMENT))),
])
def test_it_asks_for_an_update_each_cycle_and_escalates_after_the_cutoff(
        item, cycle, reported, expected):
    assert update_hits(item, cycle=cycle, reported_in_cycle=reported) == expected


def test_it_nudges_the_owners_and_their_head_but_not_about_done_tasks():
    assert nudge_hits(facts("2026-06-17"), today=D("2026-06-01")) == hits(
        ReminderRule.NUDGE, "2026-06-01", (RESPONSIBLE, R), (HEAD, DH))
    assert nudge_hits(facts("2026-06-17", done=True), today=D("2026-06-01")) == []


EMAIL, WECOM, DINGTALK = Channel.EMAIL, Channel.WECOM, Channel.DINGTALK


@pytest.mark.parametrize(("rule", "available", "chosen", "expected"), [
    (SOON, {EMAIL, WECOM}, set(Channel), {EMAIL, WECOM}),
    (SOON, {EMAIL, WECOM}, {WECOM}, {WECOM}),  # e-mail switched off
    (SOON, {EMAIL, WECOM}, set(), set()),  # everything off: muted
    (SOON, {WECOM}, {EMAIL}, set()),  # chose a channel that cannot reach them
    (LATE, {EMAIL, WECOM}, set(), {EMAIL}),  # escalations cannot be muted
    (LATE, {EMAIL, WECOM}, {WECOM}, {EMAIL, WECOM}),
    (ReminderRule.UPDATE_MISSED, {EMAIL}, set(), {EMAIL}),
    (ReminderRule.NUDGE, {DINGTALK}, set(), {DINGTALK}),  # no address: every robot
    (LATE, set(), set(Channel), set()),  # nobody to reach
])
def test_it_sends_on_chosen_channels_except_escalations(rule, available, chosen, expected):
    options = ChannelOptions(available=frozenset(available), chosen=frozenset(chosen))
    assert channels_for(rule, options) == expected


def test_it_orders_digests_overdue_first_then_by_due_date():
    lines = [("due_soon", D("2026-06-20"), "B"), ("overdue", D("2026-06-01"), "C"),
             ("update_due", D("2026-06-25"), "A"), ("overdue", D("2026-05-01"), "D"),
             ("due_today", D("2026-06-17"), "E")]
    ordered = sorted(lines, key=lambda line: digest_sort_key(*line))
    assert [title for _rule, _due, title in ordered] == ["D", "C", "E", "B", "A"]


def test_it_falls_back_to_weekends_for_years_the_calendar_does_not_know():
    future_monday, future_saturday = D("2099-06-01"), D("2099-06-06")
    assert not CHINA.covers(future_monday)
    assert CHINA.is_workday(future_monday)
    assert not CHINA.is_workday(future_saturday)
    assert CHINA.covers(D("2026-06-01"))
