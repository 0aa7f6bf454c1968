from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    """红黄绿灯. Order matters: dashboards list the worst first."""

    OFF_TRACK = "off_track", _("滞后")
    AT_RISK = "at_risk", _("有风险")
    ON_TRACK = "on_track", _("正常推进")
    NOT_STARTED = "not_started", _("未启动")
    DONE = "done", _("已完成")


class TaskKind(models.TextChoices):
    KEY_TASK = "key_task", _("重点任务")
    MEASURE = "measure", _("具体举措")


class Comparator(models.TextChoices):
    GTE = "gte", "≥"
    LTE = "lte", "≤"
    APPROX = "approx", "≈"
    EQ = "eq", "="
    IN_STEP = "in_step", _("同步")


class Direction(models.TextChoices):
    INCREASE = "increase", _("越大越好")
    DECREASE = "decrease", _("越小越好")
