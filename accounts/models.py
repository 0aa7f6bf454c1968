from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Role(models.TextChoices):
    SUPERVISOR = "supervisor", _("督查室")
    DEPARTMENT_HEAD = "department_head", _("部门负责人")
    MEMBER = "member", _("部门工作人员")
    LEADER = "leader", _("分管领导")


class Department(models.Model):
    """A government department (责任单位) that owns tasks and indicators."""

    name = models.CharField(_("名称"), max_length=100, unique=True)
    # The seed's default assignment and the fixtures refer to departments by short name.
    short_name = models.CharField(_("简称"), max_length=30, unique=True)
    head = models.ForeignKey(
        "accounts.User",
        verbose_name=_("负责人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="headed_departments",
    )
    # Who renamed a department or changed its head, and when (the admin's 历史 page).
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("部门")
        verbose_name_plural = _("部门")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.short_name


class User(AbstractUser):
    """A person who signs in: supervision staff, department staff or a leader.

    `role` decides what they may do (see tracker.rules.permissions); `department` is where
    they work. Staff and heads must belong to a department, because that is what scopes
    the tasks they report on.
    """

    display_name = models.CharField(_("姓名"), max_length=50, blank=True)
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices, default=Role.MEMBER)
    department = models.ForeignKey(
        Department,
        verbose_name=_("所属部门"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
    )
    phone = models.CharField(_("电话"), max_length=30, blank=True)
    # Who changed a person's role, department or access, and when. The password hash is
    # not copied into history, and a sign-in (last_login) writes no history row
    # (accounts.apps swaps Django's last_login update for one without save()).
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                name="user_department_staff_have_department",
                condition=~Q(role__in=[Role.DEPARTMENT_HEAD, Role.MEMBER])
                | Q(department__isnull=False),
                violation_error_message=_("部门负责人和工作人员必须属于一个部门。"),
            ),
        ]

    def __str__(self) -> str:
        return self.display_name or self.username


# API tokens live in their own module; importing them here registers the model.
from .tokens import ApiToken  # noqa: E402, F401
