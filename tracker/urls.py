"""The web UI for department staff and leaders (mounted at the site root)."""

from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from tracker.views import account, dashboard, pages, tasks

app_name = "ui"

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("my/", dashboard.my_tasks_view, name="my_tasks"),
    path("tasks/", tasks.task_list_view, name="task_list"),
    path("tasks/export.xlsx", tasks.task_export_view, name="task_export"),
    path("tasks/<int:pk>/", tasks.task_detail_view, name="task"),
    path("departments/<int:pk>/", pages.department_view, name="department"),
    path("indicators/<int:pk>/", pages.indicator_view, name="indicator"),
    path("evidence/<int:pk>/", pages.evidence_download, name="evidence"),
    path("accounts/login/", auth_views.LoginView.as_view(
        template_name="registration/ui_login.html", redirect_authenticated_user=True),
         name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/",
         auth_views.PasswordChangeView.as_view(
             template_name="registration/ui_password_change_form.html",
             success_url=reverse_lazy("ui:password_change_done")),
         name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(
        template_name="registration/ui_password_change_done.html"),
         name="password_change_done"),
    path("accounts/settings/", account.account_view, name="account"),
    path("accounts/settings/reminders/", account.preferences_update_view,
         name="account_preferences"),
    path("accounts/settings/tokens/", account.token_create_view, name="account_token_create"),
    path("accounts/settings/tokens/<int:pk>/revoke/", account.token_revoke_view,
         name="account_token_revoke"),
]
