"""Settings come from the environment and a malformed value stops start-up plainly."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_database, env_int, env_int_list

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("value", ["ture", "2", "maybe"])
def test_it_refuses_a_malformed_boolean(monkeypatch, value):
    monkeypatch.setenv("DEBUG", value)
    with pytest.raises(ImproperlyConfigured, match="DEBUG"):
        env_bool("DEBUG", True)


def test_it_reads_booleans_integers_and_lists(monkeypatch):
    monkeypatch.setenv("X_BOOL", "off")
    monkeypatch.setenv("X_INT", "25")
    monkeypatch.setenv("X_LIST", "7, 3,1")
    assert env_bool("X_BOOL", True) is False
    assert env_int("X_INT", 1) == 25
    assert env_int_list("X_LIST", []) == [7, 3, 1]


def test_it_refuses_a_malformed_integer(monkeypatch):
    monkeypatch.setenv("EMAIL_PORT", "twenty-five")
    with pytest.raises(ImproperlyConfigured, match="EMAIL_PORT"):
        env_int("EMAIL_PORT", 25)


def test_it_reads_a_database_url_and_refuses_a_bad_one(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://u:p@db:5432/tracker")
    config = env_database("DATABASE_URL", "sqlite:///x")
    assert (config["ENGINE"], config["NAME"], config["HOST"]) == (
        "django.db.backends.postgresql", "tracker", "db")
    monkeypatch.setenv("DATABASE_URL", "nosuchdb://x")
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL"):
        env_database("DATABASE_URL", "sqlite:///x")


def run_check(**env):
    full = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.base", **env}
    return subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=full,
                          capture_output=True, text=True, timeout=120)


def test_it_stops_start_up_with_one_clear_message():
    result = run_check(DEBUG="ture")
    assert result.returncode != 0
    assert "DEBUG='ture' is not a boolean" in result.stderr


def test_it_requires_a_secret_key_in_production():
    result = run_check(DEBUG="0", SECRET_KEY="")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_it_runs_on_sqlite_in_shanghai_time_in_chinese_by_default():
    from django.conf import settings

    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert [code for code, _ in settings.LANGUAGES] == ["zh-hans", "en"]
    result = run_check(DATABASE_URL="")
    assert result.returncode == 0, result.stderr
