"""Reminders: who chose which channels, the departments' robots, and every reminder sent.

A Reminder is the idempotency key (item, recipient, rule, occurrence): the database
refuses a second row with the same key, so overlapping or retried sweeps cannot remind
twice. A Delivery is one message on one channel (a day's digest, or a 催办 nudge) and
carries its own state; the sender claims it with a conditional UPDATE before sending
(tracker.services.reminders.delivery_send).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tracker.rules.reminders import ROBOT_CHANNELS, Channel, RecipientRole, ReminderRule

from .tasks import Milestone, Task


class NotificationPreference(models.Model):
    """The channels a person wants reminders on, and the language of their messages.

    A person without a row gets the defaults (everything on, the site language).
    Escalations ignore the switches (tracker.rules.reminders.channels_for).
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="notification_preference",
                                verbose_name=_("用户"))
    email_enabled = models.BooleanField(_("电子邮件"), default=True)
    wecom_enabled = models.BooleanField(_("企业微信群"), default=True)
    dingtalk_enabled = models.BooleanField(_("钉钉群"), default=True)
    webhook_enabled = models.BooleanField(_("通用 Webhook"), default=True)
    language = models.CharField(_("消息语言"), max_length=10, choices=settings.LANGUAGES,
                                default=settings.LANGUAGE_CODE)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("提醒设置")
        verbose_name_plural = _("提醒设置")
        ordering = ["user_id"]

    def __str__(self) -> str:
        return str(self.user)

    @property
    def chosen_channels(self) -> frozenset[Channel]:
        switches = {
            Channel.EMAIL: self.email_enabled,
            Channel.WECOM: self.wecom_enabled,
            Channel.DINGTALK: self.dingtalk_enabled,
            Channel.WEBHOOK: self.webhook_enabled,
        }
        return frozenset(channel for channel, on in switches.items() if on)


class DepartmentRobot(models.Model):
    """A department's group-chat robot (企业微信 / 钉钉) or signed JSON webhook.

    Reminders for the department's people are posted here, mentioning them by phone.
    `secret` is DingTalk's 加签 secret, or the HMAC key of a generic webhook.
    """

    department = models.ForeignKey("accounts.Department", on_delete=models.CASCADE,
                                   related_name="robots", verbose_name=_("部门"))
    channel = models.CharField(_("类型"), max_length=10,
                               choices=[(c.value, c.label) for c in Channel
                                        if c in ROBOT_CHANNELS])  # declaration order
    url = models.URLField(_("Webhook 地址"), max_length=500)
    secret = models.CharField(_("签名密钥"), max_length=200, blank=True,
                              help_text=_("钉钉机器人“加签”密钥，或通用 Webhook 的 HMAC 密钥。"))
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("部门机器人")
        verbose_name_plural = _("部门机器人")
        ordering = ["department_id", "channel"]
        constraints = [
            models.UniqueConstraint(fields=["department", "channel"],
                                    name="robot_one_per_department_channel"),
            models.CheckConstraint(name="robot_channel_valid",
                                   condition=Q(channel__in=[c.value for c in Channel
                                                             if c in ROBOT_CHANNELS])),
            # A generic webhook is only trustworthy to its receiver when it is signed.
            models.CheckConstraint(name="robot_webhook_signed",
                                   condition=~Q(channel=Channel.WEBHOOK) | ~Q(secret=""),
                                   violation_error_message=_("通用 Webhook 必须设置签名密钥。")),
        ]

    def __str__(self) -> str:
        return f"{self.department} · {self.get_channel_display()}"


class Reminder(models.Model):
    """One reminder of one item to one person: the key (item, recipient, rule, occurrence).

    The item is a task, or a milestone of it (`milestone` set). `day` is the day the sweep
    planned it for. Which messages carried it is in DeliveryItem.
    """

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="reminders",
                             verbose_name=_("任务"))
    milestone = models.ForeignKey(Milestone, on_delete=models.CASCADE, null=True, blank=True,
                                  related_name="reminders", verbose_name=_("时间节点"))
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                  related_name="reminders", verbose_name=_("接收人"))
    rule = models.CharField(_("规则"), max_length=20, choices=ReminderRule.choices)
    occurrence = models.DateField(_("对应日期"))
    role = models.CharField(_("身份"), max_length=20, choices=RecipientRole.choices)
    day = models.DateField(_("提醒日期"))
    # Who pressed 催办 (nudges only).
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+",
                                   verbose_name=_("催办人"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("提醒记录")
        verbose_name_plural = _("提醒记录")
        ordering = ["-day", "recipient_id", "id"]
        constraints = [
            # The idempotency key, split in two because NULL milestones would never collide.
            models.UniqueConstraint(fields=["task", "recipient", "rule", "occurrence"],
                                    condition=Q(milestone__isnull=True),
                                    name="reminder_unique_task_key"),
            models.UniqueConstraint(fields=["milestone", "recipient", "rule", "occurrence"],
                                    condition=Q(milestone__isnull=False),
                                    name="reminder_unique_milestone_key"),
            models.CheckConstraint(name="reminder_rule_valid",
                                   condition=Q(rule__in=ReminderRule.values)),
        ]
        indexes = [
            # The sweep's attach step reads a batch of recipients' reminders of recent days.
            models.Index(fields=["recipient", "day"], name="reminder_recipient_day_idx"),
            # The admin lists the latest reminders first and filters by day.
            models.Index(fields=["day"], name="reminder_day_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_rule_display()} · {self.recipient} · {self.occurrence}"


class DeliveryKind(models.TextChoices):
    DIGEST = "digest", _("每日汇总")
    NUDGE = "nudge", _("催办")


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("待发送")
    SENDING = "sending", _("发送中")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")


class Delivery(models.Model):
    """One message to one person on one channel: a day's digest, or a 催办 nudge.

    State: pending -> sending (claimed) -> sent, or back to pending with `last_error` and
    a later `next_attempt_at` on a transient failure, or failed for good after
    TRACKER_REMINDER_MAX_ATTEMPTS or a permanent error. Failures stay here for the admin.
    """

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                  related_name="deliveries", verbose_name=_("接收人"))
    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices)
    kind = models.CharField(_("类型"), max_length=10, choices=DeliveryKind.choices,
                            default=DeliveryKind.DIGEST)
    day = models.DateField(_("提醒日期"))
    state = models.CharField(_("状态"), max_length=10, choices=DeliveryState.choices,
                             default=DeliveryState.PENDING)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    last_error = models.TextField(_("最近错误"), blank=True)
    # Where it went: the e-mail address or the robot, recorded when sent.
    target = models.CharField(_("发送目标"), max_length=300, blank=True)
    robot = models.ForeignKey(DepartmentRobot, on_delete=models.SET_NULL, null=True,
                              blank=True, related_name="deliveries", verbose_name=_("机器人"))
    next_attempt_at = models.DateTimeField(_("下次尝试"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("领取时间"), null=True, blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("消息发送")
        verbose_name_plural = _("消息发送")
        ordering = ["-day", "-id"]
        constraints = [
            # At most one open (unclaimed) digest per person, channel and day: overlapping
            # sweeps add their items to the same message instead of sending two.
            models.UniqueConstraint(fields=["recipient", "channel", "day"],
                                    condition=Q(kind="digest", state="pending"),
                                    name="delivery_one_open_digest"),
            models.CheckConstraint(name="delivery_state_valid",
                                   condition=Q(state__in=DeliveryState.values)),
            models.CheckConstraint(name="delivery_channel_valid",
                                   condition=Q(channel__in=Channel.values)),
        ]
        indexes = [
            # The sender's queue: unfinished deliveries (delivery_pending_ids).
            models.Index(fields=["next_attempt_at"], condition=Q(state__in=["pending", "sending"]),
                         name="delivery_unfinished_idx"),
            # The admin's failure list and the digest lookup by day.
            models.Index(fields=["state", "day"], name="delivery_state_day_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.recipient} · {self.get_channel_display()} · {self.day}"


class DeliveryItem(models.Model):
    """A reminder carried by a delivery. Each reminder goes out once per channel."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="items",
                                 verbose_name=_("消息"))
    reminder = models.ForeignKey(Reminder, on_delete=models.CASCADE,
                                 related_name="delivery_items", verbose_name=_("提醒"))
    # Copied from the delivery so the database can hold "once per channel".
    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices)

    class Meta:
        verbose_name = _("消息条目")
        verbose_name_plural = _("消息条目")
        ordering = ["delivery_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["reminder", "channel"],
                                    name="delivery_item_once_per_channel"),
        ]

    def __str__(self) -> str:
        return f"{self.delivery_id}: {self.reminder}"
