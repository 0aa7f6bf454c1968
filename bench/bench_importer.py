"""How long the importer takes on a long report (a benchmark, not a test).

Builds a ~70,000-character report by joining varied sections of real-shaped reports (the
2023 沙河口区 report and the test fixtures of a city, a province and a district), numbers
its areas （一）…（N）, and times import_report and the YAML writer on it.

    .venv/bin/python bench/bench_importer.py [--chars 70000] [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django  # noqa: E402

django.setup()

from tracker.importer import draft_yaml, import_report  # noqa: E402

SOURCES = [ROOT / "seeds" / "2023-shahekou-work-report.txt",
           *sorted((ROOT / "tests" / "importer" / "data").glob("20*.txt"))]
AREA = re.compile(r"^[（(][一二三四五六七八九十]{1,3}[）)]")
DIGITS = "零一二三四五六七八九"


def numeral(n: int) -> str:
    tens, ones = divmod(n, 10)
    return (("" if tens == 1 else DIGITS[tens]) + "十" if tens else "") + (
        DIGITS[ones] if ones else "")


def area_blocks(text: str) -> list[list[str]]:
    """Each area of this year's tasks section: its heading line and its paragraphs."""
    lines = text.split("\n")
    blocks, current, in_tasks = [], None, False
    for line in lines:
        if re.match(r"^[一二三四五六七八九十]、", line):
            in_tasks = bool(re.search(r"任务|重点|安排", line))
            current = None
            continue
        if line.startswith(("各位代表", "让我们")):
            current = None
            continue
        if in_tasks and AREA.match(line):
            current = [AREA.sub("", line)]
            blocks.append(current)
        elif current is not None and line:
            current.append(line)
    return blocks


def long_report(chars: int) -> str:
    base = SOURCES[0].read_text(encoding="utf-8")
    head = base[:base.index("(一)抓项目强产业")]          # front matter, review, targets
    blocks = [b for path in SOURCES for b in area_blocks(path.read_text(encoding="utf-8"))]
    body, number, round_ = [], 0, 0
    while len(head) + sum(map(len, body)) < chars - 400:
        # An area of a long report runs to several blocks' worth of key tasks.
        block = [line for i in range(3) for line in blocks[(3 * number + i) % len(blocks)][
            (1 if i else 0):]]
        round_ = 3 * number // len(blocks)
        number += 1
        # Vary the figures from round to round so no two paragraphs repeat exactly.
        paragraphs = [re.sub(r"\d+", lambda m, r=round_: str(int(m.group(0)) + r), p)
                      for p in block]
        body.append(f"（{numeral(number)}）" + "\n".join(paragraphs) + "\n")
    closing = "各位代表，让我们团结一心、开拓进取，为全面完成今年各项目标任务而努力奋斗！\n"
    return head + "".join(body) + closing


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chars", type=int, default=70_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    text = long_report(args.chars)
    timings, parse_timings = [], []
    for _ in range(args.runs):
        started = time.perf_counter()
        draft = import_report(text)
        parsed = time.perf_counter()
        draft_yaml(draft, source_name="bench.txt", draft_name="bench.yaml")
        timings.append(time.perf_counter() - started)
        parse_timings.append(parsed - started)
    print(f"report: {len(text):,} characters")
    print(f"draft:  {draft.summary()}")
    print(f"import alone:  best {min(parse_timings) * 1000:.0f} ms, "
          f"median {statistics.median(parse_timings) * 1000:.0f} ms")
    print(f"import + YAML: best {min(timings) * 1000:.0f} ms, "
          f"median {statistics.median(timings) * 1000:.0f} ms, "
          f"worst {max(timings) * 1000:.0f} ms over {args.runs} runs "
          f"({'under' if max(timings) < 1 else 'OVER'} the 1 s budget)")


if __name__ == "__main__":
    main()
