"""Shared by the production-readiness tests: real sample files, a production
environment for subprocesses, and the real Redis of the machine."""

from __future__ import annotations

import io
import os
import secrets
import sys
import zipfile
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
PYTHON = sys.executable
REDIS_URL = os.environ.get("TEST_REDIS_HEALTH_URL", "redis://127.0.0.1:6379/7")


def production_env(**overrides: str) -> dict[str, str]:
    """The environment a production process gets: DEBUG off, a real secret, a host name.

    Everything else is left at its default, so a test proves the defaults are safe.
    Variables a developer may have exported (DEBUG, HTTPS, …) are dropped first.
    """
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("DJANGO_", "SECURE_", "SESSION_", "AXES_"))
           and k not in {"DEBUG", "HTTPS", "BEHIND_PROXY", "ALLOWED_HOSTS",
                         "CSRF_TRUSTED_ORIGINS", "SECRET_KEY", "LOG_FORMAT"}}
    env.update({
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "example.gov.cn",
        "PYTHONPATH": str(ROOT),
    })
    env.update(overrides)
    return env


# ---------------------------------------------------------------- sample files

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = bytes.fromhex("89504E470D0A1A0A0000000D4948445200000001000000010806000000"
                    "1F15C4890000000D49444154789C6360000002000154A24F5D0000000049454E44AE426082")
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
OLE = bytes.fromhex("D0CF11E0A1B11AE1") + b"\x00" * 504
HTML = b"<!doctype html><html><script>alert(document.cookie)</script></html>"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48


def ooxml(main_part: str, *, macros: bool = False) -> bytes:
    """A minimal zip-based Office document: its content types and its main part."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(main_part, "<document/>")
        if macros:
            archive.writestr(main_part.split("/")[0] + "/vbaProject.bin", b"\x00")
    return buffer.getvalue()


DOCX = ooxml("word/document.xml")
XLSX = ooxml("xl/workbook.xml")
PPTX = ooxml("ppt/presentation.xml")


def plain_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    return buffer.getvalue()


@pytest.fixture
def requires_redis_server() -> str:
    """The real Redis's URL; skip with the reason without one, except in CI."""
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        message = f"Redis is not reachable at {REDIS_URL} ({exc})"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{message}; CI requires it.")
        pytest.skip(f"{message}; start it to run this test.")
    return REDIS_URL
