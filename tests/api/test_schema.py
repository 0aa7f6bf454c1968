"""The OpenAPI document validates, and the docs page serves its assets locally."""

import pytest
from django.core.management import call_command


def test_the_schema_generates_and_validates_without_warnings(tmp_path):
    out = tmp_path / "schema.yaml"
    # --fail-on-warn makes any drf-spectacular warning (an unresolvable field, a
    # duplicated enum name…) fail this test.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    text = out.read_text()
    assert "/api/v1/progress-entries/" in text
    assert "tokenAuth" in text


@pytest.mark.django_db
def test_the_schema_and_docs_are_public_and_use_no_cdn(anonymous):
    schema = anonymous.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    docs = anonymous.get("/api/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "swagger-ui" in html
    assert "cdn" not in html.lower() and "unpkg" not in html.lower()
    assert "/static/drf_spectacular_sidecar/" in html
