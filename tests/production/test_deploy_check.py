"""`manage.py check --deploy` is clean with the production environment, and the security
headers and cookies follow HTTPS; development keeps working over plain HTTP."""

from __future__ import annotations

import subprocess

import pytest
from django.test import override_settings
from django.urls import reverse

from tests.production.conftest import PYTHON, ROOT, production_env


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_check_deploy_reports_nothing_with_the_production_environment():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout, result.stdout


def test_check_deploy_would_complain_without_https():
    # The same check, with the TLS settings switched off, does warn: so the clean run
    # above is the settings' doing, not a check that never looks.
    result = manage("check", "--deploy", "--fail-level", "WARNING",
                    env=production_env(HTTPS="0"))
    assert result.returncode != 0
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert warning in result.stdout + result.stderr, warning


def test_production_settings_refuse_to_start_without_a_secret_key():
    env = production_env()
    del env["SECRET_KEY"]
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_settings_are_secure_by_default():
    code = ("from django.conf import settings as s; import json; print(json.dumps({"
            "'redirect': s.SECURE_SSL_REDIRECT, 'hsts': s.SECURE_HSTS_SECONDS, "
            "'session_secure': s.SESSION_COOKIE_SECURE, 'csrf_secure': s.CSRF_COOKIE_SECURE, "
            "'origins': s.CSRF_TRUSTED_ORIGINS, 'proxy': s.SECURE_PROXY_SSL_HEADER, "
            "'age': s.SESSION_COOKIE_AGE, 'close': s.SESSION_EXPIRE_AT_BROWSER_CLOSE, "
            "'health_checks': s.DATABASES['default']['CONN_HEALTH_CHECKS'], "
            "'log_json': s.LOG_FORMAT}))")
    import json

    result = manage("shell", "-c", code, env=production_env(BEHIND_PROXY="1"))
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values == {
        "redirect": True, "hsts": 31536000, "session_secure": True, "csrf_secure": True,
        "origins": ["https://example.gov.cn"], "proxy": ["HTTP_X_FORWARDED_PROTO", "https"],
        "age": 8 * 3600, "close": True, "health_checks": True, "log_json": "json",
    }


@pytest.mark.django_db
def test_development_serves_plain_http_without_secure_cookies(client):
    # The test settings are the development defaults (DEBUG=1, HTTPS off).
    response = client.get(reverse("ui:login"))
    assert response.status_code == 200
    assert "Strict-Transport-Security" not in response.headers
    assert not response.cookies["csrftoken"]["secure"]


@pytest.mark.django_db
@override_settings(SECURE_SSL_REDIRECT=True, SECURE_HSTS_SECONDS=31536000,
                   SECURE_HSTS_INCLUDE_SUBDOMAINS=True, SECURE_HSTS_PRELOAD=True,
                   SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"),
                   CSRF_COOKIE_SECURE=True)
def test_behind_a_tls_proxy_http_is_redirected_and_https_gets_hsts(client):
    plain = client.get(reverse("ui:login"))
    assert plain.status_code == 301
    assert plain["Location"].startswith("https://")

    secure = client.get(reverse("ui:login"), headers={"X-Forwarded-Proto": "https"})
    assert secure.status_code == 200
    assert secure["Strict-Transport-Security"] == \
        "max-age=31536000; includeSubDomains; preload"
    assert secure.cookies["csrftoken"]["secure"]
    assert secure["X-Frame-Options"] == "DENY"
    assert secure["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_production_serves_the_collected_static_files_itself(client, settings, tmp_path):
    # gunicorn has no file server of its own: without this the compose stack's admin,
    # UI styles and API docs scripts would all be 404s.
    from django.core.management import call_command

    settings.DEBUG = False
    settings.STATIC_ROOT = tmp_path
    call_command("collectstatic", interactive=False, verbosity=0)
    for path in ("/static/tracker/ui.css", "/static/admin/js/core.js",
                 "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert b"".join(response.streaming_content), path


def test_every_setting_read_from_the_environment_is_listed_in_env_example():
    import re

    read = set(re.findall(r'env_\w+\("([A-Z][A-Z0-9_]+)"',
                          (ROOT / "config" / "settings" / "base.py").read_text()))
    listed = set(re.findall(r"^([A-Z][A-Z0-9_]+)=", (ROOT / ".env.example").read_text(),
                            re.MULTILINE))
    assert read - listed == set()
