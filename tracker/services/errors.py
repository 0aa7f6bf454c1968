"""Errors raised by services, mapped to 400/403 by the API and to form errors by the UI."""

from __future__ import annotations


class ServiceError(Exception):
    pass


class ValidationError(ServiceError):
    """Bad input. `errors` maps a field name to its messages, like a form's errors."""

    def __init__(self, errors: dict[str, list[str]] | str):
        if isinstance(errors, str):
            errors = {"non_field_errors": [errors]}
        self.errors = errors
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))


class PermissionDenied(ServiceError):
    pass
