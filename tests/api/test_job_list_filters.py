from datetime import timedelta

import pytest
from django.utils import timezone

from cicallback.models import Job
from tests.api.conftest import at, job_ids, make_job

WORKFLOW = {"name": "node", "run_id": "run-a", "workflow_id": "wf-a", "workflow_name": "resize"}
OTHER_WORKFLOW = {"name": "node", "run_id": "run-b", "workflow_id": "wf-b", "workflow_name": "resize"}

# (query, fields of the job it must find, fields of a job it must leave out)
CASES = {
    "state": ({"state": "Failed"}, {"state": Job.State.FAILED}, {"state": Job.State.SUCCESS}),
    "tag": ({"tag": "Transcode"}, {"tag": "Transcode"}, {"tag": "PicProcess"}),
    "bucket": ({"bucket": "in-125"}, {"input_bucket": "in-125"}, {"input_bucket": "out-125"}),
    "region": ({"region": "ap-chongqing"}, {"input_region": "ap-chongqing"}, {"input_region": "ap-guangzhou"}),
    "queue_id": ({"queue_id": "q1"}, {"queue_id": "q1"}, {"queue_id": "q2"}),
    "workflow_id": ({"workflow_id": "wf-a"}, {"workflow": WORKFLOW}, {"workflow": OTHER_WORKFLOW}),
    "run_id": ({"run_id": "run-a"}, {"workflow": WORKFLOW}, {"workflow": OTHER_WORKFLOW}),
    "template_id": ({"template_id": "t1"}, {"template_id": "t1"}, {"template_id": "t2"}),
    "code": ({"code": "InvalidParameter"}, {"code": "InvalidParameter"}, {"code": "InternalError"}),
    "created_after": (
        {"created_after": "2024-03-05T10:00:00+08:00"},
        {"creation_time": at(2)},
        {"creation_time": at(1, 59)},
    ),
    "created_before": ({"created_before": "2024-03-05T02:00:00Z"}, {"creation_time": at(1)}, {"creation_time": at(2)}),
    "ended_after": ({"ended_after": "2024-03-05T02:00:00Z"}, {"end_time": at(2)}, {"end_time": at(1)}),
    "ended_before": ({"ended_before": "2024-03-05T02:00:00Z"}, {"end_time": at(1)}, {"end_time": at(2)}),
    "q as a JobId": ({"q": "jwanted"}, {"job_id": "jwanted"}, {"job_id": "jwanted2"}),
    "q as an object key prefix": ({"q": "上传/"}, {"input_object": "上传/a%.jpg"}, {"input_object": "x/上传/a.jpg"}),
    "q as UserData": ({"q": "order-8812"}, {"user_data": "order-8812"}, {"user_data": "order-88"}),
}


@pytest.mark.parametrize("query, wanted, unwanted", CASES.values(), ids=CASES.keys())
def test_each_filter_finds_its_jobs_and_leaves_the_others(api, query, wanted, unwanted):
    found = make_job(**wanted)
    make_job(**unwanted)

    assert job_ids(api.get("/api/jobs/", query)) == [found.job_id]


def test_state_takes_several_values(api):
    failed = make_job(state=Job.State.FAILED)
    cancelled = make_job(state=Job.State.CANCEL)
    make_job(state=Job.State.SUCCESS)

    response = api.get("/api/jobs/?state=Failed&state=Cancel")

    assert job_ids(response) == [cancelled.job_id, failed.job_id]


def test_period_keeps_jobs_created_within_it(api):
    recent = make_job(creation_time=timezone.now())
    make_job(creation_time=timezone.now() - timedelta(hours=2))

    assert job_ids(api.get("/api/jobs/", {"period": "1h"})) == [recent.job_id]


def test_filters_combine(api):
    wanted = make_job(state=Job.State.FAILED, tag="Transcode")
    make_job(state=Job.State.FAILED, tag="PicProcess")
    make_job(state=Job.State.SUCCESS, tag="Transcode")

    assert job_ids(api.get("/api/jobs/", {"state": "Failed", "tag": "Transcode"})) == [wanted.job_id]


def test_an_unknown_parameter_is_ignored(api):
    job = make_job()

    assert job_ids(api.get("/api/jobs/", {"colour": "blue"})) == [job.job_id]
