"""钉钉 group robot: a markdown message, signed when the robot uses 加签 (a secret).

Signing: sign = base64(HMAC-SHA256(key=secret, "{timestamp_ms}\\n{secret}")), sent as the
`timestamp` and `sign` query parameters; DingTalk rejects a timestamp over an hour old.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from urllib.parse import quote_plus

from .base import Message
from .http import post_json
from .wecom import check_errcode, truncate_utf8

MAX_BYTES = 18000  # DingTalk's message limit is 20000 bytes


def signed_url(url: str, secret: str, *, timestamp_ms: int | None = None) -> str:
    if not secret:
        return url
    timestamp_ms = timestamp_ms if timestamp_ms is not None else int(time.time() * 1000)
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(),
                      hashlib.sha256).digest()
    sign = quote_plus(base64.b64encode(digest).decode())
    joiner = "&" if "?" in url else "?"
    return f"{url}{joiner}timestamp={timestamp_ms}&sign={sign}"


def send(message: Message, *, recipient, robot) -> str:
    text = message.markdown
    phone = (getattr(recipient, "phone", "") or "").strip()
    # DingTalk shows an @mention only when the text itself contains "@<phone>".
    if phone:
        text = f"{text}\n\n@{phone}"
    payload = {
        "msgtype": "markdown",
        "markdown": {"title": message.subject, "text": truncate_utf8(text, MAX_BYTES)},
        "at": {"atMobiles": [phone] if phone else [], "isAtAll": False},
    }
    answer = post_json(signed_url(robot.url, robot.secret), payload)
    check_errcode(answer, "DingTalk")
    return f"dingtalk:{robot.department_id}"
