"""Who may do what. The one place the admin, web UI, API and tasks ask.

Pure functions of plain facts about the actor and the task, so they can be tested as
tables. `Actor.of(user)` and `TaskOwners.of(task)` build the facts from model instances.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from accounts.models import Role


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    role: str | None
    department_id: int | None
    is_active: bool = True
    is_superuser: bool = False
    # Departments this user heads (Department.head), which may differ from `department_id`.
    headed_department_ids: frozenset[int] = field(default_factory=frozenset)

    @classmethod
    def of(cls, user) -> Actor:
        if user is None or not user.is_authenticated:
            return cls(user_id=None, role=None, department_id=None, is_active=False)
        headed = getattr(user, "_headed_department_ids", None)
        if headed is None:
            headed = frozenset(user.headed_departments.values_list("id", flat=True))
            user._headed_department_ids = headed
        return cls(
            user_id=user.pk,
            role=user.role,
            department_id=user.department_id,
            is_active=user.is_active,
            is_superuser=user.is_superuser,
            headed_department_ids=headed,
        )

    @property
    def is_supervisor(self) -> bool:
        return self.is_active and (self.is_superuser or self.role == Role.SUPERVISOR)

    @property
    def head_of(self) -> frozenset[int]:
        """Departments whose tasks this actor manages as their head."""
        if not self.is_active:
            return frozenset()
        ids = set(self.headed_department_ids)
        if self.role == Role.DEPARTMENT_HEAD and self.department_id is not None:
            ids.add(self.department_id)
        return frozenset(ids)


@dataclass(frozen=True)
class TaskOwners:
    lead_department_id: int | None
    co_department_ids: frozenset[int]
    responsible_id: int | None

    @classmethod
    def of(cls, task) -> TaskOwners:
        # Reads co_departments through .all() so a prefetch_related("co_departments")
        # on the queryset serves it without a query per task.
        return cls(
            lead_department_id=task.lead_department_id,
            co_department_ids=frozenset(d.pk for d in task.co_departments.all()),
            responsible_id=task.responsible_id,
        )

    @property
    def department_ids(self) -> frozenset[int]:
        ids = set(self.co_department_ids)
        if self.lead_department_id is not None:
            ids.add(self.lead_department_id)
        return frozenset(ids)


def can_view_plan(actor: Actor) -> bool:
    """Everyone signed in may read the whole plan: transparency is the point."""
    return actor.is_active


def can_edit_plan(actor: Actor) -> bool:
    """Plans, areas, indicators and assignments are edited by 督查室 only."""
    return actor.is_supervisor


def can_manage_accounts(actor: Actor) -> bool:
    """Users and departments are maintained by 督查室; heads may only look them up."""
    return actor.is_supervisor


def can_view_reminder_log(actor: Actor) -> bool:
    """Who was reminded of what, and whether it reached them: 督查室's record."""
    return actor.is_supervisor


def can_override_status(actor: Actor) -> bool:
    return actor.is_supervisor


def can_report_progress(actor: Actor, owners: TaskOwners) -> bool:
    """The responsible person, members and heads of the lead and co-departments, and
    supervisors may report. Leaders read; they do not report on others' behalf."""
    if not actor.is_active:
        return False
    if actor.is_supervisor:
        return True
    if actor.user_id is not None and actor.user_id == owners.responsible_id:
        return True
    if actor.role in (Role.MEMBER, Role.DEPARTMENT_HEAD) and (
        actor.department_id in owners.department_ids
    ):
        return True
    return bool(actor.head_of & owners.department_ids)


def can_manage_task(actor: Actor, owners: TaskOwners) -> bool:
    """Change a task's day-to-day details (responsible person, milestones): supervisors
    for every task, department heads for tasks their department leads."""
    if actor.is_supervisor:
        return True
    return owners.lead_department_id is not None and owners.lead_department_id in actor.head_of


def can_use_admin(actor: Actor) -> bool:
    """The admin is for 督查室 and department heads; members and leaders use the web UI."""
    return actor.is_supervisor or bool(actor.head_of)


def sees_only_own_department_in_admin(actor: Actor) -> bool:
    return not actor.is_supervisor
