"""The tracker admin, one module per group of models.

Importing the modules registers them on the default admin site. Further tracker
admins (reminders and the like) belong in a new module here, imported below.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from . import indicators, plans, progress, tasks  # noqa: F401

admin.site.site_header = _("目标任务督办")
admin.site.site_title = _("目标任务督办")
admin.site.index_title = _("督办管理")

# Reminders register their own admins and add 立即催办 to the task admin (after it exists).
from tracker import admin_reminders  # noqa: E402, F401
