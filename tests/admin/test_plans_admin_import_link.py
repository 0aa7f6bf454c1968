"""The plan list links to the report importer for those who may load plans."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_it_offers_the_importer_to_supervisors_only(client, supervisor, department_head):
    url = reverse("admin:tracker_plan_changelist")
    importer = reverse("import_report")
    client.force_login(supervisor)
    assert importer in client.get(url).content.decode()
    client.force_login(department_head)
    response = client.get(url)
    assert response.status_code == 200
    assert importer not in response.content.decode()
