from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .base import SourceReference


class Plan(models.Model):
    """One year's adopted work report (政府工作报告) for one region."""

    year = models.PositiveSmallIntegerField(_("年度"))
    region = models.CharField(_("地区"), max_length=100)
    title = models.CharField(_("标题"), max_length=200)
    adopted_on = models.DateField(_("通过日期"), null=True, blank=True)
    source_text = models.TextField(_("报告全文"), blank=True)
    # Set when the plan was loaded from another year's report as a template.
    template_year = models.PositiveSmallIntegerField(_("模板年度"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("工作报告")
        verbose_name_plural = _("工作报告")
        ordering = ["-year", "region"]
        constraints = [
            models.UniqueConstraint(fields=["region", "year"], name="plan_unique_region_year"),
            models.CheckConstraint(
                name="plan_year_plausible", condition=Q(year__gte=2000) & Q(year__lte=2100)
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Area(SourceReference):
    """工作领域: one of the numbered sections of work, e.g. "（一）抓项目强产业"."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="areas",
                             verbose_name=_("工作报告"))
    order = models.PositiveSmallIntegerField(_("序号"))
    code = models.CharField(_("编号"), max_length=20)
    title = models.CharField(_("标题"), max_length=200)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("工作领域")
        verbose_name_plural = _("工作领域")
        ordering = ["plan", "order"]
        constraints = [
            *SourceReference.Meta.constraints,
            models.UniqueConstraint(fields=["plan", "order"], name="area_unique_order_in_plan"),
            models.UniqueConstraint(fields=["plan", "code"], name="area_unique_code_in_plan"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"
