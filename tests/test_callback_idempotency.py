"""Deliveries repeat and arrive in any order; the job history must come out the same."""

from itertools import permutations

import pytest

from cicallback.models import CosHeader, Delivery, Job, Workflow, WorkflowRun, WorkflowTask
from tests.conftest import sample

pytestmark = pytest.mark.django_db

SEED_JOB_ID = "c93984788066911ed89ed352d4d9d2084"
SEEDS = ["seed1-job-api.xml", "seed2-workflow.xml", "seed3-workflow.json"]


@pytest.mark.parametrize("order", list(permutations(SEEDS)))
def test_the_three_seeds_in_any_order_leave_one_job_with_headers_and_workflow(sender, order):
    for name in order:
        assert sender.post_sample(name).status_code == 200
    job = Job.objects.get()
    assert job.job_id == SEED_JOB_ID
    assert list(job.cos_headers.values_list("key", flat=True)) == [
        "Content-Type",
        "x-cos-request-id",
        "EventName",
        "Size",
    ]
    assert job.workflow.run_id == "ic90edd59f84f11ec9d4f525400a3c59f"
    assert job.pic_process_result.processed_size == 24911
    assert CosHeader.objects.count() == 4
    assert Workflow.objects.count() == 1
    assert Delivery.objects.filter(job=job).count() == 3


def test_a_repeated_body_is_a_duplicate_that_writes_only_its_delivery(sender):
    sender.post_sample("seed2-workflow.xml")
    sender.post_sample("seed2-workflow.xml")
    assert list(Delivery.objects.order_by("id").values_list("outcome", flat=True)) == ["stored", "duplicate"]
    assert CosHeader.objects.count() == 4


def test_the_json_form_of_a_stored_xml_job_is_a_duplicate(sender):
    sender.post_sample("seed2-workflow.xml")
    sender.post_sample("seed3-workflow.json")
    assert Delivery.objects.order_by("-id").first().outcome == "duplicate"


def test_the_job_api_callback_after_the_workflow_one_adds_nothing(sender):
    sender.post_sample("seed2-workflow.xml")
    sender.post_sample("seed1-job-api.xml")
    assert Delivery.objects.order_by("-id").first().outcome == "duplicate"
    assert CosHeader.objects.count() == 4


def test_an_older_delivery_never_overwrites_newer_data(sender):
    newer = sample("failed-pic.xml").replace(b"<State>Failed</State>", b"<State>Success</State>")
    newer = newer.replace(b"<EndTime>2024-03-05T10:21:08+0800", b"<EndTime>2024-03-05T10:30:00+0800")
    sender.post(newer)
    response = sender.post_sample("failed-pic.xml")
    assert response.status_code == 200
    assert response.content.startswith(b"stale")
    job = Job.objects.get()
    assert job.state == "Success"
    assert Delivery.objects.order_by("-id").first().outcome == "stale"


def test_a_delivery_without_end_time_after_a_finished_one_is_stale(sender):
    sender.post_sample("failed-pic.xml")
    running = sample("failed-pic.xml").replace(b"<State>Failed</State>", b"<State>Running</State>")
    running = running.replace(b"<EndTime>2024-03-05T10:21:08+0800</EndTime>", b"<EndTime>-</EndTime>")
    assert sender.post(running).content.startswith(b"stale")
    assert Job.objects.get().state == "Failed"


def test_a_newer_delivery_updates_the_job_and_replaces_changed_pieces(sender):
    sender.post_sample("seed2-workflow.xml")
    newer = sample("seed2-workflow.xml").replace(b"15:16:44+0800</EndTime>", b"15:20:00+0800</EndTime>")
    newer = newer.replace(b"<Value>1024</Value>", b"<Value>2048</Value>").replace(b"<Size>24911<", b"<Size>30000<")
    assert sender.post(newer).content.startswith(b"stored")
    job = Job.objects.get()
    assert job.end_time.minute == 20
    assert job.cos_headers.get(key="Size").value == "2048"
    assert job.pic_process_result.processed_size == 30000
    assert CosHeader.objects.count() == 4


def test_a_workflow_finish_is_linked_to_its_jobs_by_job_id(sender):
    sender.post_sample("workflow-finish.xml")
    sender.post_sample("seed1-job-api.xml")
    run = WorkflowRun.objects.get()
    assert run.state == "Success"
    assert [task.job_id for task in run.tasks.all()] == [SEED_JOB_ID]
    assert list(run.jobs().values_list("job_id", flat=True)) == [SEED_JOB_ID]


def test_a_repeated_workflow_finish_is_a_duplicate_that_rewrites_nothing(sender):
    sender.post_sample("workflow-finish.xml")
    run, task = WorkflowRun.objects.get(), WorkflowTask.objects.get()
    response = sender.post_sample("workflow-finish.xml")
    assert response.content == b"duplicate WorkflowFinish\n"
    assert list(Delivery.objects.order_by("id").values_list("outcome", flat=True)) == ["stored", "duplicate"]
    assert WorkflowRun.objects.get().updated_at == run.updated_at
    assert WorkflowTask.objects.get().pk == task.pk
    assert Delivery.objects.order_by("-id").first().workflow_run == run


def test_a_changed_workflow_finish_replaces_the_run_and_its_tasks(sender):
    sender.post_sample("workflow-finish.xml")
    failed = sample("workflow-finish.xml").replace(b"<State>Success</State>", b"<State>Failed</State>")
    assert sender.post(failed).content == b"stored WorkflowFinish\n"
    run = WorkflowRun.objects.get()
    assert run.state == "Failed"
    assert list(run.tasks.values_list("state", flat=True)) == ["Failed"]
    assert WorkflowTask.objects.count() == 1


def test_jobs_of_a_workflow_and_of_a_run_are_simple_queries(sender):
    sender.post_sample("seed2-workflow.xml")
    sender.post_sample("transcode-workflow.xml")
    sender.post_sample("failed-transcode.json")
    assert Job.objects.of_run("ic90edd59f84f11ec9d4f525400a3c59f").count() == 2
    assert Job.objects.of_workflow("web6ac56c1ef54dbfa44d7f4103203be9").count() == 3
    assert Job.objects.failed().count() == 1
