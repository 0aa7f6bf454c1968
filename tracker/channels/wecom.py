"""企业微信 group robot: a markdown message posted to the robot's webhook URL."""

from __future__ import annotations

from .base import Message, PermanentDeliveryError, TransientDeliveryError
from .http import post_json

# WeCom caps markdown content at 4096 bytes.
MAX_BYTES = 4000
# 45009: the robot's rate limit (20 messages a minute); -1: system busy.
RETRYABLE_ERRCODES = frozenset({-1, 45009})


def truncate_utf8(text: str, limit: int) -> str:
    encoded = text.encode()
    if len(encoded) <= limit:
        return text
    return encoded[: limit - 3].decode(errors="ignore") + "…"


def send(message: Message, *, recipient, robot) -> str:
    payload = {"msgtype": "markdown",
               "markdown": {"content": truncate_utf8(message.markdown, MAX_BYTES)}}
    answer = post_json(robot.url, payload)
    check_errcode(answer, "WeCom")
    return f"wecom:{robot.department_id}"


def check_errcode(answer: dict, name: str) -> None:
    """Both robots answer HTTP 200 with {"errcode": n, "errmsg": "..."}; 0 is success."""
    errcode = answer.get("errcode", 0)
    if errcode in (0, "0"):
        return
    text = f"{name} errcode {errcode}: {answer.get('errmsg', '')}"
    if errcode in RETRYABLE_ERRCODES or errcode == 130101:  # 130101: DingTalk rate limit
        raise TransientDeliveryError(text)
    raise PermanentDeliveryError(text)
