"""Robots and webhooks against a real HTTP server on loopback (the edge is HTTP itself)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine

from tests.reminders.conftest import at
from tracker.channels.webhook import signature
from tracker.models import Delivery, DeliveryState, DepartmentRobot
from tracker.services.reminders import deliveries_flush, reminders_sweep

pytestmark = pytest.mark.django_db


class Receiver:
    """A loopback HTTP server that answers from a script and remembers every request."""

    def __init__(self):
        self.script: list[tuple[int, dict]] = []
        self.requests: list[dict] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append({"path": self.path, "headers": dict(self.headers),
                                          "body": body})
                status, answer = receiver.script.pop(0) if receiver.script else (200, {})
                payload = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.close()


@pytest.fixture
def late_task(task_for, owner):
    owner.phone = "13800000001"
    owner.email = ""  # robots only, so every message below is the robot's
    owner.save()
    return task_for("2026-06-09", title="逾期的任务")


def sweep(day="2026-06-10"):
    with time_machine.travel(at(day), tick=False):
        return reminders_sweep()


def robot_deliveries(channel):
    return list(Delivery.objects.filter(channel=channel).order_by("id"))


def test_it_posts_signed_dingtalk_markdown_that_mentions_the_owner(receiver, late_task,
                                                                   department):
    DepartmentRobot.objects.create(department=department, channel="dingtalk",
                                   url=f"{receiver.url}/robot/send?access_token=abc",
                                   secret="SEC-test-secret")

    sweep()

    request = next(r for r in receiver.requests if b"13800000001" in r["body"])
    query = parse_qs(urlsplit(request["path"]).query)
    timestamp, sign = query["timestamp"][0], query["sign"][0]
    expected = base64.b64encode(hmac.new(b"SEC-test-secret",
                                         f"{timestamp}\nSEC-test-secret".encode(),
                                         hashlib.sha256).digest()).decode()
    assert sign == expected and query["access_token"] == ["abc"]
    body = json.loads(request["body"])
    assert body["msgtype"] == "markdown" and body["at"]["atMobiles"] == ["13800000001"]
    assert "逾期的任务" in body["markdown"]["text"]
    assert "@13800000001" in body["markdown"]["text"]
    assert {d.state for d in robot_deliveries("dingtalk")} == {DeliveryState.SENT}


def test_it_signs_generic_webhooks_so_receivers_can_check_them(receiver, late_task,
                                                               department):
    DepartmentRobot.objects.create(department=department, channel="webhook",
                                   url=f"{receiver.url}/hook", secret="hook-secret")

    sweep()

    request = receiver.requests[0]
    headers = request["headers"]
    assert headers["X-Tracker-Signature"] == signature(
        "hook-secret", int(headers["X-Tracker-Timestamp"]), request["body"])
    assert headers["X-Tracker-Signature"] != signature(
        "wrong-secret", int(headers["X-Tracker-Timestamp"]), request["body"])
    payload = json.loads(request["body"])
    assert payload["event"] == "reminder.digest"
    assert payload["items"][0]["rule"] == "overdue"
    assert payload["items"][0]["title"] == "逾期的任务"


def test_it_retries_a_webhook_after_a_server_error_then_delivers(receiver, late_task,
                                                                 department, owner):
    DepartmentRobot.objects.create(department=department, channel="wecom",
                                   url=f"{receiver.url}/cgi-bin/webhook/send?key=k")
    receiver.script = [(502, {}), (502, {})]  # the owner's and the head's first tries

    sweep()

    deliveries = robot_deliveries("wecom")  # the owner's digest and the head's copy
    assert {(d.state, d.attempts) for d in deliveries} == {(DeliveryState.PENDING, 1)}
    error = deliveries[0].last_error
    assert "HTTP 502" in error and "key=k" not in error  # the token stays out of the admin
    with time_machine.travel(at("2026-06-10", 8, 32), tick=False):
        deliveries_flush()
    assert {(d.state, d.attempts, d.last_error) for d in robot_deliveries("wecom")} == {
        (DeliveryState.SENT, 2, "")}
    assert len(receiver.requests) == 4


def test_it_retries_when_the_robot_says_slow_down(receiver, late_task, department):
    DepartmentRobot.objects.create(department=department, channel="wecom",
                                   url=f"{receiver.url}/send?key=k")
    receiver.script = [(200, {"errcode": 45009, "errmsg": "api freq out of limit"})] * 2

    summary = sweep()

    assert len(summary.send.retrying) == 2
    assert "45009" in robot_deliveries("wecom")[0].last_error


@pytest.mark.parametrize(("answer", "error"), [
    ((404, {}), "HTTP 404"),
    ((200, {"errcode": 310000, "errmsg": "sign not match"}), "310000"),
])
def test_it_fails_for_good_when_the_robot_rejects_the_request(receiver, late_task,
                                                              department, answer, error):
    DepartmentRobot.objects.create(department=department, channel="dingtalk",
                                   url=f"{receiver.url}/robot/send?access_token=x",
                                   secret="s")
    receiver.script = [answer, answer]

    summary = sweep()

    assert summary.send.failed == 2
    failed = robot_deliveries("dingtalk")[0]
    assert failed.state == DeliveryState.FAILED and error in failed.last_error
    with time_machine.travel(at("2026-06-11"), tick=False):
        deliveries_flush()
    assert len(receiver.requests) == 2  # never tried again by itself


def test_it_retries_when_the_receiver_is_down(late_task, department):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    DepartmentRobot.objects.create(department=department, channel="webhook",
                                   url=f"http://127.0.0.1:{port}/hook", secret="s")

    summary = sweep()

    assert len(summary.send.retrying) == 2
    assert "unreachable" in robot_deliveries("webhook")[0].last_error


def test_inactive_robots_are_not_used(receiver, late_task, department):
    DepartmentRobot.objects.create(department=department, channel="wecom",
                                   url=f"{receiver.url}/send?key=k", is_active=False)
    sweep()
    assert receiver.requests == [] and robot_deliveries("wecom") == []
