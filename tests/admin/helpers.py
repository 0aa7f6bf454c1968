"""Helpers for driving admin forms from tests the way a browser would."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Model


def _as_post(value) -> str | list[str] | None:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "on" if value else None
    if isinstance(value, Model):
        return str(value.pk)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal | int):
        return str(value)
    if isinstance(value, list | tuple):
        return [str(getattr(v, "pk", v)) for v in value]
    return str(value)


def _form_fields(form, data: dict) -> None:
    for name in form.fields:
        value = _as_post(form[name].value())
        if value is not None:
            data[form.add_prefix(name)] = value


def change_form_data(response) -> dict:
    """The POST a browser would send for an admin change page left as it was shown.

    Editable fields carry their shown values; inline formsets send their management
    forms and their existing rows (blank extra rows are left out).
    """
    data: dict = {}
    _form_fields(response.context["adminform"].form, data)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        initial = len(formset.initial_forms)
        data.update({
            f"{formset.prefix}-TOTAL_FORMS": str(initial),
            f"{formset.prefix}-INITIAL_FORMS": str(initial),
            f"{formset.prefix}-MIN_NUM_FORMS": "0",
            f"{formset.prefix}-MAX_NUM_FORMS": "1000",
        })
        for form in formset.initial_forms:
            _form_fields(form, data)
    return data


def add_inline_row(data: dict, prefix: str, values: dict) -> dict:
    """Append one new row to an inline formset in `data`."""
    index = int(data[f"{prefix}-TOTAL_FORMS"])
    data[f"{prefix}-TOTAL_FORMS"] = str(index + 1)
    for name, value in values.items():
        data[f"{prefix}-{index}-{name}"] = value
    return data
