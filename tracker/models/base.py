from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class SourceReference(models.Model):
    """Where in the report text an item came from, so anyone can check the source.

    `source_start`/`source_end` are character offsets into `Plan.source_text` (end
    exclusive), so `plan.source_text[start:end] == source_quote`.
    """

    source_quote = models.TextField(_("原文"), blank=True)
    source_start = models.PositiveIntegerField(_("原文起始位置"), null=True, blank=True)
    source_end = models.PositiveIntegerField(_("原文结束位置"), null=True, blank=True)

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                name="%(app_label)s_%(class)s_source_span_valid",
                condition=(Q(source_start__isnull=True) & Q(source_end__isnull=True))
                | Q(source_end__gt=F("source_start")),
            ),
        ]
