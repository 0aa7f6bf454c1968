from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def update_last_login_quietly(sender, user, **kwargs) -> None:
    """Django's update_last_login, without save(): a sign-in is not a change to the
    person, so it writes no history row (simple-history records every save())."""
    from django.utils import timezone

    user.last_login = timezone.now()
    type(user).objects.filter(pk=user.pk).update(last_login=user.last_login)


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("账户与部门")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        if user_logged_in.disconnect(dispatch_uid="update_last_login"):
            user_logged_in.connect(update_last_login_quietly,
                                   dispatch_uid="update_last_login_quietly")
