"""Shared paths, and the importer's quality report printed at the end of every run."""

from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parent / "data"
SEEDS = Path(__file__).resolve().parents[2] / "seeds"
FORUM_PAGE = DATA / "2023-shahekou-forum-page.raw.txt"
SEED = SEEDS / "2023-shahekou-plan.yaml"

_quality_key = pytest.StashKey[str]()


@pytest.fixture
def record_quality(request):
    """Keep a quality report for the terminal summary (shown with or without -s)."""
    def record(text: str) -> None:
        request.config.stash[_quality_key] = text
    return record


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    text = config.stash.get(_quality_key, None)
    if text:
        terminalreporter.section("importer quality")
        terminalreporter.write_line(text)
