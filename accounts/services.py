"""Writes for accounts: departments and users."""

from __future__ import annotations

from django.db import transaction

from .models import Department, Role, User

# Roles that work in the admin (督查室 edits everything; heads manage their department).
ADMIN_ROLES = {Role.SUPERVISOR, Role.DEPARTMENT_HEAD}


@transaction.atomic
def department_upsert(*, short_name: str, name: str) -> tuple[Department, bool]:
    department, created = Department.objects.get_or_create(
        short_name=short_name, defaults={"name": name})
    if not created and department.name != name:
        department.name = name
        department.save(update_fields=["name"])
    return department, created


@transaction.atomic
def user_upsert(*, username: str, role: str, password: str | None = None,
                department: Department | None = None, display_name: str = "",
                email: str = "") -> tuple[User, bool]:
    """Create or update a user; `is_staff` follows the role so the admin lets them in."""
    user = User.objects.filter(username=username).first()
    created = user is None
    if created:
        user = User(username=username)
    user.role = role
    user.department = department
    user.display_name = display_name
    user.email = email
    user.is_staff = role in ADMIN_ROLES
    if password is not None:
        user.set_password(password)
    user.full_clean(exclude=["password"] if password is None else None)
    user.save()
    if role == Role.DEPARTMENT_HEAD and department is not None and department.head_id is None:
        department.head = user
        department.save(update_fields=["head"])
    return user, created
