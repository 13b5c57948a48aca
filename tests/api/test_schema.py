import re

from django.contrib.staticfiles import finders
from django.core.management import call_command


def test_the_schema_validates_without_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))

    assert (tmp_path / "schema.yaml").read_text().startswith("openapi: 3.0.3")


def test_the_schema_is_served_as_json(api):
    response = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    assert response.status_code == 200
    assert set(response.json()["paths"]) == {
        "/api/jobs/",
        "/api/jobs/{job_id}/",
        "/api/jobs/{job_id}/deliveries/",
        "/api/stats/",
    }


def test_swagger_ui_is_served_from_local_static_files(api):
    html = api.get("/api/docs/").content.decode()

    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    # Every script and stylesheet is ours: no URL with a host (the page's CSRF token is random
    # text, so the check looks at addresses, not at words like "cdn").
    assert not re.findall(r"""(?:src|href)=["'](?:https?:)?//""", html)
    assert "https://" not in html
    assert finders.find("drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js")
