"""An e-mail backend that writes every message it accepts to a journal file, and can stall.

Used where a message leaves a process the test cannot look into (a Celery worker started
as a subprocess), so deliveries stay countable after the process is killed. Configured by
environment variables, read at send time:

* FAULTS_MAIL_JOURNAL: the file; one JSON line per accepted message, flushed at once, so
  what the channel accepted survives a SIGKILL a moment later.
* FAULTS_MAIL_STALL_AT: stall on the n-th message this process is handed (1-based).
* FAULTS_MAIL_STALL_WHEN: "before" (the channel has not accepted it: nothing is written)
  or "after" (it is in the journal, but the sender has not yet heard back: the one-message
  window the reminder engine documents).
* FAULTS_MAIL_STALL_FLAG: written with the stalled message's recipients when the stall
  begins, so the test knows the worker is in the middle of the sweep.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from django.core.mail.backends.base import BaseEmailBackend

# A stalled sender waits this long for the test to kill it, then gives up loudly (so a
# test that failed to kill it cannot leave a worker hanging forever).
STALL_LIMIT_SECONDS = 60

_handed = 0  # messages this process was handed, for FAULTS_MAIL_STALL_AT


class JournalBackend(BaseEmailBackend):
    def send_messages(self, email_messages) -> int:
        global _handed
        journal = Path(os.environ["FAULTS_MAIL_JOURNAL"])
        stall_at = int(os.environ.get("FAULTS_MAIL_STALL_AT", "0"))
        stall_when = os.environ.get("FAULTS_MAIL_STALL_WHEN", "before")
        for message in email_messages:
            _handed += 1
            stall = _handed == stall_at
            if stall and stall_when == "before":
                _stall(message)
            with journal.open("a", encoding="utf-8") as out:
                out.write(json.dumps({"to": list(message.to), "subject": message.subject,
                                      "body": message.body, "pid": os.getpid()},
                                     ensure_ascii=False) + "\n")
                out.flush()
            if stall and stall_when == "after":
                _stall(message)
        return len(email_messages)


def _stall(message) -> None:
    Path(os.environ["FAULTS_MAIL_STALL_FLAG"]).write_text(json.dumps(list(message.to)),
                                                          encoding="utf-8")
    deadline = time.monotonic() + STALL_LIMIT_SECONDS
    while time.monotonic() < deadline:
        time.sleep(0.05)
    raise RuntimeError("the stalled sender was never killed")


def read_journal(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
