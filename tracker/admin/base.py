"""What every tracker admin page shares: permissions from the rules module, not from
Django's per-model auth permissions, and history pages that show but never revert.

Department heads and non-superuser supervisors hold no Django model permissions; the
admin asks tracker.rules.permissions instead, so the admin, web UI and API agree on
who may do what.
"""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from simple_history.admin import SimpleHistoryAdmin

from tracker.rules.permissions import Actor, can_edit_plan, can_use_admin


def actor_of(request: HttpRequest) -> Actor:
    """The permission facts of the signed-in user, built once per request."""
    actor = getattr(request, "_tracker_actor", None)
    if actor is None:
        actor = Actor.of(request.user)
        request._tracker_actor = actor
    return actor


def scoped_task_ids(actor: Actor) -> QuerySet:
    """Ids of the tasks a non-supervisor sees in the admin, as a subquery."""
    from tracker.selectors import task_list

    return task_list(actor=actor, own_department_only=True).values("pk")


class RuleAdminMixin:
    """Admin access by rule: whoever may use the admin may look; 督查室 may write.

    Subclasses narrow or widen one permission at a time (append-only records refuse
    change and delete; tasks let heads change what they manage).
    """

    def has_module_permission(self, request: HttpRequest) -> bool:
        return can_use_admin(actor_of(request))

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return can_use_admin(actor_of(request))

    def has_add_permission(self, request: HttpRequest, *args) -> bool:
        # Inlines pass the parent object as a second argument; model admins do not.
        return can_edit_plan(actor_of(request))

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return can_edit_plan(actor_of(request))

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return can_edit_plan(actor_of(request))


class AppendOnlyMixin:
    """Records that are only ever appended (progress, readings, status decisions).

    Refusing delete here also stops the admin from deleting a task or plan that has
    such records, because the delete confirmation checks every related admin.
    """

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class HistoryAdmin(RuleAdminMixin, SimpleHistoryAdmin):
    """Shows who changed what and when; reverting is switched off.

    simple_history's revert view saves the historical row whole, bypassing the
    services that keep percent and status consistent, and it only checks view
    permission before saving. History here is for reading.
    """

    def revert_disabled(self, request: HttpRequest, obj=None) -> bool:
        return True

    def history_form_view(self, request: HttpRequest, object_id, version_id,
                          extra_context=None) -> HttpResponse:
        if request.method == "POST":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


class ReadOnlyInline(admin.TabularInline):
    """An inline that lists related rows and offers no way to change them."""

    extra = 0
    can_delete = False
    show_change_link = False

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return can_use_admin(actor_of(request))

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
