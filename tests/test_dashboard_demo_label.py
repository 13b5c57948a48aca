import pytest

from tests.jobs import store, xml_job

pytestmark = pytest.mark.django_db

DEMO_JOB = "demo0123456789abcdef0123400001"
REAL_JOB = "c93984788066911ed89ed352d4d9d2084"
LABEL = '<span class="tagline">demo</span>'


@pytest.fixture
def jobs():
    store(xml_job(DEMO_JOB))
    store(xml_job(REAL_JOB))


def row_of(html: str, job_id: str) -> str:
    start = html.index(f'href="/jobs/{job_id}/"')
    return html[start : html.index("</td>", start)]


def test_the_list_labels_demo_jobs_next_to_their_job_id(admin_client, jobs):
    html = admin_client.get("/").content.decode()
    assert LABEL in row_of(html, DEMO_JOB)
    assert LABEL not in row_of(html, REAL_JOB)


def test_the_failed_jobs_page_labels_them_too(admin_client):
    store(xml_job("demo-failed", sample_name="failed-pic.xml"))
    html = admin_client.get("/failed/?period=").content.decode()
    assert LABEL in row_of(html, "demo-failed")


def test_the_detail_page_labels_demo_data(admin_client, jobs):
    assert "demo data</span>" in admin_client.get(f"/jobs/{DEMO_JOB}/").content.decode()
    assert "demo data</span>" not in admin_client.get(f"/jobs/{REAL_JOB}/").content.decode()
