"""E-mail backends that fail the way SMTP servers do (the edge the tests mock)."""

from __future__ import annotations

import smtplib

from django.core.mail.backends.locmem import EmailBackend as LocmemBackend

FAILURES: list[Exception] = []


class FlakyBackend(LocmemBackend):
    """Raises the next exception queued in FAILURES, then behaves like locmem."""

    def send_messages(self, messages):
        if FAILURES:
            raise FAILURES.pop(0)
        return super().send_messages(messages)


def disconnected() -> Exception:
    return smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


def refused(address: str) -> Exception:
    return smtplib.SMTPRecipientsRefused({address: (550, b"No such user")})
