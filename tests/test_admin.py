"""The admin stays usable on huge tables: no full count, no query per row, exact searches."""

import pytest
from django.urls import reverse

from cicallback.models import Delivery, Job

pytestmark = pytest.mark.django_db

ALL_SAMPLES = [
    "seed1-job-api.xml",
    "seed2-workflow.xml",
    "seed3-workflow.json",
    "failed-pic.xml",
    "transcode-workflow.xml",
    "failed-transcode.json",
    "workflow-finish.xml",
]


@pytest.fixture
def history(sender):
    for name in ALL_SAMPLES:
        sender.post_sample(name)
    sender.post(b"not a callback")


def test_the_job_list_shows_every_job_with_a_fixed_number_of_queries(
    admin_client, history, django_assert_max_num_queries
):
    with django_assert_max_num_queries(8):
        response = admin_client.get(reverse("admin:cicallback_job_changelist"))
    assert response.status_code == 200
    assert response.content.count(b'class="action-select"') == Job.objects.count() == 4


@pytest.mark.parametrize(
    ("field", "value", "found"),
    [
        ("state", "Failed", 2),
        ("tag", "Transcode", 2),
        ("input_region", "ap-chongqing", 1),
        ("input_bucket", "examplebucket-1250000000", 3),
    ],
)
def test_the_job_list_filters_by_state_tag_region_and_bucket(admin_client, history, field, value, found):
    url = reverse("admin:cicallback_job_changelist")
    assert f'href="?{field}={value}"' in admin_client.get(url).content.decode()
    response = admin_client.get(url, {field: value})
    assert response.content.count(b'class="action-select"') == found


@pytest.mark.parametrize(
    ("term", "found"),
    [("c93984788066911ed89ed352d4d9d2084", 1), ("上传/", 1), ("in/", 2), ("c9398478", 0)],
)
def test_search_is_exact_job_id_or_object_key_prefix(admin_client, history, term, found):
    response = admin_client.get(reverse("admin:cicallback_job_changelist"), {"q": term})
    assert response.content.count(b'class="action-select"') == found


def test_a_job_page_shows_its_headers_workflow_result_and_deliveries(admin_client, history):
    job = Job.objects.get(job_id="c93984788066911ed89ed352d4d9d2084")
    response = admin_client.get(reverse("admin:cicallback_job_change", args=[job.pk]))
    content = response.content.decode()
    assert response.status_code == 200
    assert "x-cos-request-id" in content
    assert "workflow-test" in content
    assert "&quot;d5a491cd3d8d071e3212c3478e8e35a1&quot;" in content
    assert content.count("/admin/cicallback/delivery/") >= 3


def test_a_delivery_page_shows_the_raw_body(admin_client, history):
    rejected = Delivery.objects.get(outcome="rejected")
    response = admin_client.get(reverse("admin:cicallback_delivery_change", args=[rejected.pk]))
    assert response.status_code == 200
    assert b"not a callback" in response.content
    assert b"body is neither XML nor JSON" in response.content


def test_the_delivery_list_loads_no_bodies(admin_client, history, django_assert_max_num_queries):
    with django_assert_max_num_queries(8) as captured:
        response = admin_client.get(reverse("admin:cicallback_delivery_changelist"))
    assert response.status_code == 200
    assert not any('"body"' in query["sql"] and "SELECT" in query["sql"] for query in captured.captured_queries)


def test_the_delivery_list_filters_by_event_name_without_a_distinct_over_the_table(
    admin_client, history, django_assert_max_num_queries
):
    url = reverse("admin:cicallback_delivery_changelist")
    with django_assert_max_num_queries(8) as captured:
        page = admin_client.get(url).content.decode()
    assert 'href="?event_name=WorkflowFinish"' in page
    assert not any("DISTINCT" in query["sql"].upper() for query in captured.captured_queries)
    response = admin_client.get(url, {"event_name": "WorkflowFinish"})
    assert response.content.count(b'class="action-select"') == 1


def test_the_workflow_run_list_filters_by_state_without_a_distinct_over_the_table(
    admin_client, history, django_assert_max_num_queries
):
    url = reverse("admin:cicallback_workflowrun_changelist")
    with django_assert_max_num_queries(8) as captured:
        page = admin_client.get(url).content.decode()
    assert 'href="?state=Success"' in page
    assert not any("DISTINCT" in query["sql"].upper() for query in captured.captured_queries)
    response = admin_client.get(url, {"state": "Success"})
    assert response.content.count(b'class="action-select"') == 1


def test_a_job_page_loads_none_of_its_deliveries_bodies(admin_client, history, django_assert_max_num_queries):
    job = Job.objects.get(job_id="c93984788066911ed89ed352d4d9d2084")
    with django_assert_max_num_queries(20) as captured:
        response = admin_client.get(reverse("admin:cicallback_job_change", args=[job.pk]))
    assert response.status_code == 200
    delivery_queries = [q["sql"] for q in captured.captured_queries if 'FROM "cicallback_delivery"' in q["sql"]]
    assert delivery_queries
    assert not any('"cicallback_delivery"."body"' in sql for sql in delivery_queries)


def test_the_workflow_run_page_shows_its_tasks(admin_client, history):
    from cicallback.models import WorkflowRun

    run = WorkflowRun.objects.get()
    response = admin_client.get(reverse("admin:cicallback_workflowrun_change", args=[run.pk]))
    assert b"c93984788066911ed89ed352d4d9d2084" in response.content
