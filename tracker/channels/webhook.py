"""A generic JSON webhook, signed so the receiver can trust it.

Headers: `X-Tracker-Timestamp` (Unix seconds) and `X-Tracker-Signature: sha256=<hex>`,
the HMAC-SHA256 of "{timestamp}.{body}" keyed with the robot's secret. The receiver
recomputes it over the raw body and rejects old timestamps to stop replays.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time

from .base import Message, PermanentDeliveryError
from .http import post_json


def signature(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"sha256={mac.hexdigest()}"


def send(message: Message, *, recipient, robot) -> str:
    if not robot.secret:
        raise PermanentDeliveryError("webhook has no signing secret")
    body = json.dumps(message.data, ensure_ascii=False, sort_keys=True).encode()
    timestamp = int(time.time())
    post_json(robot.url, message.data, body=body, headers={
        "X-Tracker-Timestamp": str(timestamp),
        "X-Tracker-Signature": signature(robot.secret, timestamp, body),
    })
    return f"webhook:{robot.department_id}"
