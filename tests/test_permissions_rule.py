"""Who may do what, as a table over plain facts: no database."""

import pytest

from accounts.models import Role
from tracker.rules.permissions import (
    Actor,
    TaskOwners,
    can_edit_plan,
    can_manage_task,
    can_override_status,
    can_report_progress,
    can_use_admin,
)

LEAD, CO, OTHER = 1, 2, 3
OWNERS = TaskOwners(lead_department_id=LEAD, co_department_ids=frozenset({CO}),
                    responsible_id=42)


def actor(role, department=None, user_id=7, **kw):
    return Actor(user_id=user_id, role=role, department_id=department, **kw)


@pytest.mark.parametrize(
    ("who", "may_report"),
    [
        (actor(Role.SUPERVISOR), True),
        (actor(Role.MEMBER, LEAD), True),
        (actor(Role.MEMBER, CO), True),
        (actor(Role.DEPARTMENT_HEAD, LEAD), True),
        (actor(Role.DEPARTMENT_HEAD, OTHER, headed_department_ids=frozenset({CO})), True),
        (actor(Role.MEMBER, OTHER), False),
        (actor(Role.MEMBER, OTHER, user_id=42), True),  # the responsible person
        (actor(Role.LEADER), False),
        (actor(Role.SUPERVISOR, is_active=False), False),
        (Actor.of(None), False),
    ],
)
def test_it_lets_owners_and_supervisors_report_progress(who, may_report):
    assert can_report_progress(who, OWNERS) is may_report


@pytest.mark.parametrize(
    ("who", "edit_plan", "override", "manage", "admin"),
    [
        (actor(Role.SUPERVISOR), True, True, True, True),
        (actor(Role.MEMBER, LEAD, is_superuser=True), True, True, True, True),
        (actor(Role.DEPARTMENT_HEAD, LEAD), False, False, True, True),
        (actor(Role.DEPARTMENT_HEAD, CO), False, False, False, True),
        (actor(Role.MEMBER, LEAD), False, False, False, False),
        (actor(Role.LEADER), False, False, False, False),
    ],
)
def test_it_keeps_editing_to_supervisors_and_heads(who, edit_plan, override, manage, admin):
    assert can_edit_plan(who) is edit_plan
    assert can_override_status(who) is override
    assert can_manage_task(who, OWNERS) is manage
    assert can_use_admin(who) is admin
