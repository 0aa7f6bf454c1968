"""Where reminders leave the building: e-mail, WeCom and DingTalk robots, a signed webhook.

Each channel module has `send(message, *, recipient, robot)` and returns the target it
reached. It raises TransientDeliveryError when trying again later may work (timeouts,
5xx, rate limits) and PermanentDeliveryError when it cannot (no address, bad URL, 4xx);
the sender records either on the Delivery (tracker.services.reminders).
"""

from __future__ import annotations

from types import ModuleType

from tracker.rules.reminders import Channel

from .base import Message, PermanentDeliveryError, TransientDeliveryError


def sender_for(channel: str) -> ModuleType:
    from . import dingtalk, email, webhook, wecom

    return {
        Channel.EMAIL: email,
        Channel.WECOM: wecom,
        Channel.DINGTALK: dingtalk,
        Channel.WEBHOOK: webhook,
    }[Channel(channel)]


__all__ = ["Message", "PermanentDeliveryError", "TransientDeliveryError", "sender_for"]
