import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cicallback.receive import Arrival, receive
from tests.conftest import sample
from tests.jobs import store, xml_job

pytestmark = pytest.mark.django_db

JOB = "c93984788066911ed89ed352d4d9d2084"
BY = "\N{MULTIPLICATION SIGN}"


def test_it_asks_for_a_login(client, sender):
    sender.post_sample("seed2-workflow.xml")
    assert client.get(f"/jobs/{JOB}/").status_code == 302


def test_an_unknown_job_is_not_found(admin_client):
    assert admin_client.get("/jobs/nope/").status_code == 404


def test_it_shows_the_image_result_side_by_side(admin_client, sender):
    sender.post_sample("seed2-workflow.xml")
    html = admin_client.get(f"/jobs/{JOB}/").content.decode()
    panel = html[html.index('id="image-result"') : html.index('aria-labelledby="workflow-title"')]
    assert panel.index("<caption>Original</caption>") < panel.index("<caption>Processed</caption>")
    assert f"500 {BY} 417" in panel
    assert f"417 {BY} 500" in panel
    assert "&quot;d5a491cd3d8d071e3212c3478e8e35a1&quot;" in panel
    assert "24.3 KiB" in panel
    # The original's size is the COS header Size (1024 bytes).
    assert "<strong>2432.7%</strong> of the original" in panel


def test_it_shows_every_cos_header_in_order(admin_client, sender):
    sender.post_sample("seed2-workflow.xml")
    html = admin_client.get(f"/jobs/{JOB}/").content.decode()
    keys = ["Content-Type", "x-cos-request-id", "EventName", "Size"]
    positions = [html.index(f'<td class="mono">{key}</td>') for key in keys]
    assert positions == sorted(positions)


def test_it_links_to_other_jobs_of_the_run_and_the_workflow(admin_client, sender):
    sender.post_sample("seed2-workflow.xml")
    sender.post_sample("transcode-workflow.xml")  # same RunId and WorkflowId
    sender.post_sample("workflow-finish.xml")
    html = admin_client.get(f"/jobs/{JOB}/").content.decode()
    assert 'href="/jobs/j68427030f84611ecb8546d80f2baf56f/"' in html
    assert 'href="/?run_id=ic90edd59f84f11ec9d4f525400a3c59f"' in html
    assert 'href="/?workflow_id=web6ac56c1ef54dbfa44d7f4103203be9"' in html
    assert "Tasks reported when the run finished" in html


def test_a_failed_job_shows_its_code_and_message_first(admin_client, sender):
    sender.post_sample("failed-pic.xml")
    html = admin_client.get("/jobs/c7f0d1a2edb2711ee8b1c525400000000/").content.decode()
    failure = html.index('aria-labelledby="failure-title"')
    assert failure < html.index('id="job-title"')
    assert html.index("InvalidParameter", failure) < html.index("imageMogr2 rule invalid: thumbnail/abc", failure)
    assert 'href="/?state=Failed&amp;code=InvalidParameter"' in html
    assert "上传/照片 2024%.jpg" in html


def test_the_operation_of_other_job_types_is_readable(admin_client, sender):
    sender.post_sample("transcode-workflow.xml")
    html = admin_client.get("/jobs/j68427030f84611ecb8546d80f2baf56f/").content.decode()
    assert '<div class="tree-line" style="--depth: 0"><dt>MediaInfo</dt></div>' in html
    assert '<div class="tree-line" style="--depth: 2"><dt>Duration</dt><dd class="mono break">13.654000</dd>' in html
    assert 'id="image-result"' not in html


def test_every_delivery_is_shown_with_its_outcome_and_a_readable_body(admin_client, sender):
    sender.post_sample("seed3-workflow.json")
    sender.post_sample("seed3-workflow.json")
    html = admin_client.get(f"/jobs/{JOB}/").content.decode()
    assert html.count('<details class="delivery"') == 2
    assert "Stored</span>" in html
    assert "Duplicate</span>" in html
    assert "\n  &quot;EventName&quot;: &quot;TaskFinish&quot;,\n  &quot;JobsDetail&quot;: {" in html


def test_a_one_line_xml_body_is_indented(admin_client):
    store(b"".join(line.strip() for line in sample("seed1-job-api.xml").splitlines()))
    html = admin_client.get(f"/jobs/{JOB}/").content.decode()
    assert "&lt;Response&gt;\n  &lt;EventName&gt;TaskFinish&lt;/EventName&gt;" in html


def test_its_query_count_is_fixed(admin_client, sender, django_assert_num_queries):
    sender.post_sample("seed2-workflow.xml")
    for i in range(5):
        store(xml_job(f"other{i}", sample_name="transcode-workflow.xml"))
    sender.post_sample("workflow-finish.xml")
    # session, user, the job with workflow and image result, its headers, its deliveries,
    # the run's other jobs, the run with its tasks (2)
    with django_assert_num_queries(8):
        admin_client.get(f"/jobs/{JOB}/")


def deliver(times: int) -> None:
    """The seed2 sample delivered `times` times: once stored, then duplicates of the same job."""
    for _ in range(times):
        receive(sample("seed2-workflow.xml"), Arrival(content_type="application/xml"))


def test_past_20_deliveries_it_says_how_many_there_are_and_links_to_all_of_them(admin_client):
    deliver(22)
    html = admin_client.get(f"/jobs/{JOB}/").content.decode()
    assert html.count('<details class="delivery"') == 20
    assert "Showing the latest 20 of 22 deliveries" in html
    assert f'href="/api/jobs/{JOB}/deliveries/"' in html
    admin_link = html.split('href="/admin/cicallback/delivery/?', 1)[1].split('"', 1)[0]
    changelist = admin_client.get(f"/admin/cicallback/delivery/?{admin_link}")
    assert changelist.context["cl"].result_count == 22


def test_the_admin_link_is_left_out_for_users_who_cannot_open_it(client, django_user_model):
    deliver(21)
    client.force_login(django_user_model.objects.create_user("viewer", password="x"))
    html = client.get(f"/jobs/{JOB}/").content.decode()
    assert "Showing the latest 20 of 21 deliveries" in html
    assert f'href="/api/jobs/{JOB}/deliveries/"' in html
    assert "/admin/" not in html


def test_up_to_20_deliveries_are_all_shown_and_not_counted(admin_client):
    deliver(20)
    with CaptureQueriesContext(connection) as queries:
        html = admin_client.get(f"/jobs/{JOB}/").content.decode()
    assert html.count('<details class="delivery"') == 20
    assert "Showing the latest" not in html
    assert not any("COUNT(" in query["sql"].upper() for query in queries.captured_queries)
