from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class DeliveryError(Exception):
    """A message could not be delivered; the text is what the admin shows."""


class TransientDeliveryError(DeliveryError):
    """Trying again later may work: a timeout, a 5xx, a rate limit, a refused connection."""


class PermanentDeliveryError(DeliveryError):
    """Trying again will not help: no address, a rejected URL or signature, a 4xx."""


@dataclass(frozen=True)
class Message:
    """One rendered reminder message, in every form the channels need."""

    subject: str
    text: str
    html: str
    # Markdown for the group robots (WeCom and DingTalk render a subset of it).
    markdown: str
    # The structured content, for the generic webhook's JSON body.
    data: dict[str, Any] = field(default_factory=dict)
