"""E-mail through Django's configured backend (SMTP in production, locmem in tests)."""

from __future__ import annotations

import smtplib

from django.conf import settings
from django.core.mail import EmailMultiAlternatives

from .base import Message, PermanentDeliveryError, TransientDeliveryError


def send(message: Message, *, recipient, robot=None) -> str:
    address = (recipient.email or "").strip()
    if not address:
        raise PermanentDeliveryError("recipient has no e-mail address")
    email = EmailMultiAlternatives(subject=message.subject, body=message.text,
                                   from_email=settings.DEFAULT_FROM_EMAIL, to=[address])
    email.attach_alternative(message.html, "text/html")
    try:
        email.send(fail_silently=False)
    except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused) as exc:
        raise PermanentDeliveryError(f"SMTP refused {address}: {exc}") from exc
    except (smtplib.SMTPException, OSError) as exc:
        # Connection refused, timeouts, 4xx greylisting: the server may take it later.
        raise TransientDeliveryError(f"SMTP error: {exc}") from exc
    return address
