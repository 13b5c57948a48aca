"""Every sample body, parsed to exact values. No database: the parser is plain Python."""

from datetime import datetime, timedelta, timezone

from cicallback.parsing import CosHeader, WorkflowInfo, parse_callback
from tests.conftest import sample

CST = timezone(timedelta(hours=8))
SEED_JOB_ID = "c93984788066911ed89ed352d4d9d2084"
SEED_HEADERS = (
    CosHeader("Content-Type", "image/jpeg"),
    CosHeader("x-cos-request-id", "NjJiZDYwYTFfNjUzYTYyNjRfZjEwZl8xMmZhYzY5"),
    CosHeader("EventName", "cos:ObjectCreated:Put"),
    CosHeader("Size", "1024"),
)
SEED_WORKFLOW = WorkflowInfo(
    name="PicProcess_1581665960537",
    run_id="ic90edd59f84f11ec9d4f525400a3c59f",
    workflow_id="web6ac56c1ef54dbfa44d7f4103203be9",
    workflow_name="workflow-test",
)


def assert_seed_job(job):
    assert job.job_id == SEED_JOB_ID
    assert job.state == "Success"
    assert job.code == "Success"
    assert job.message == ""
    assert job.tag == "PicProcess"
    assert job.queue_id == "p2911917386e148639319e13c285cc774"
    assert job.creation_time == datetime(2022, 7, 18, 15, 16, 43, tzinfo=CST)
    assert job.start_time == datetime(2022, 7, 18, 15, 16, 44, tzinfo=CST)
    assert job.end_time == datetime(2022, 7, 18, 15, 16, 44, tzinfo=CST)
    assert job.end_time.utcoffset() == timedelta(hours=8)
    assert (job.input_bucket, job.input_object, job.input_region) == (
        "test-1234567890",
        "input/deer.jpg",
        "ap-chongqing",
    )
    assert job.template_id == "t10461fe2bd5a649db9022452ec71e0381"
    assert job.template_name == "test"
    assert job.user_data == "This is my PicProcess job."
    assert (job.output_bucket, job.output_object, job.output_region) == (
        "test-1234567890",
        "output/out.jpg",
        "ap-chongqing",
    )
    result = job.pic_process_result
    assert result.object_name == "output/out.jpg"
    assert result.original_etag == '"d5a491cd3d8d071e3212c3478e8e35a1"'
    assert (result.original_format, result.original_width, result.original_height) == ("JPEG", 500, 417)
    assert (result.original_quality, result.original_ave, result.original_orientation) == (68, "0xc64847", 0)
    assert result.processed_etag == ""
    assert (result.processed_format, result.processed_width, result.processed_height) == ("JPEG", 417, 500)
    assert (result.processed_quality, result.processed_size) == (68, 24911)


def test_it_reads_a_job_api_callback():
    callback = parse_callback(sample("seed1-job-api.xml"))
    assert callback.event_name == "TaskFinish"
    assert callback.body_format == "xml"
    assert_seed_job(callback.job)
    assert callback.job.cos_headers is None
    assert callback.job.workflow is None
    assert callback.job.progress is None


def test_it_reads_a_workflow_callback_with_repeated_cos_headers():
    job = parse_callback(sample("seed2-workflow.xml")).job
    assert_seed_job(job)
    assert job.cos_headers == SEED_HEADERS
    assert job.workflow == SEED_WORKFLOW


def test_it_reads_the_json_form_of_the_same_callback():
    callback = parse_callback(sample("seed3-workflow.json"))
    assert callback.body_format == "json"
    assert_seed_job(callback.job)
    assert callback.job.cos_headers == SEED_HEADERS
    assert callback.job.workflow == SEED_WORKFLOW


def test_xml_and_json_give_the_same_job_but_for_the_raw_operation():
    from dataclasses import replace

    xml = parse_callback(sample("seed2-workflow.xml")).job
    json = parse_callback(sample("seed3-workflow.json")).job
    assert replace(xml, operation={}) == replace(json, operation={})
    # XML keeps the empty <Etag/>; JSON omits it.
    assert xml.operation["PicProcessResult"]["ProcessResult"]["Etag"] == ""
    assert "Etag" not in json.operation["PicProcessResult"]["ProcessResult"]


def test_it_reads_a_failed_job_with_a_non_ascii_key_as_sent():
    job = parse_callback(sample("failed-pic.xml")).job
    assert job.job_id == "c7f0d1a2edb2711ee8b1c525400000000"
    assert job.state == "Failed"
    assert job.code == "InvalidParameter"
    assert job.message == "imageMogr2 rule invalid: thumbnail/abc"
    assert (job.tag, job.sub_tag, job.progress) == ("PicProcess", "", None)
    assert job.queue_id == "p2911917386e148639319e13c285cc774"
    assert job.creation_time == datetime(2024, 3, 5, 10, 21, 7, tzinfo=CST)
    assert job.start_time == datetime(2024, 3, 5, 10, 21, 8, tzinfo=CST)
    assert job.end_time == datetime(2024, 3, 5, 10, 21, 8, tzinfo=CST)
    assert (job.input_bucket, job.input_object, job.input_region) == (
        "examplebucket-1250000000",
        "上传/照片 2024%.jpg",
        "ap-guangzhou",
    )
    assert job.user_data == "order-8812"
    assert job.job_level == 0
    assert (job.template_id, job.template_name) == ("", "")
    assert (job.output_bucket, job.output_object, job.output_region) == (
        "examplebucket-1250000000",
        "out/thumb.jpg",
        "ap-guangzhou",
    )
    assert job.cos_headers is None
    assert job.workflow is None
    assert job.pic_process_result is None
    assert job.operation["PicProcess"] == {"IsPicInfo": "true", "ProcessRule": "imageMogr2/thumbnail/abc"}


def test_it_keeps_a_media_jobs_operation_whole():
    job = parse_callback(sample("transcode-workflow.xml")).job
    assert job.job_id == "j68427030f84611ecb8546d80f2baf56f"
    assert (job.state, job.code, job.message) == ("Success", "Success", "success")
    assert (job.tag, job.sub_tag, job.progress) == ("Transcode", "", 100)
    assert job.queue_id == "p2242ab62c7c94486915508540933a2c6"
    assert job.creation_time == datetime(2024, 3, 5, 11, 0, 1, tzinfo=CST)
    assert job.start_time == datetime(2024, 3, 5, 11, 0, 2, tzinfo=CST)
    assert job.end_time == datetime(2024, 3, 5, 11, 0, 29, tzinfo=CST)
    assert (job.input_bucket, job.input_object, job.input_region) == (
        "examplebucket-1250000000",
        "in/demo.mp4",
        "ap-guangzhou",
    )
    assert (job.template_id, job.template_name) == ("t01e57db1c2d154d2fb57aa5de9313a897", "MP4-H264-HD")
    assert (job.user_data, job.job_level) == ("", 0)
    assert (job.output_bucket, job.output_object, job.output_region) == (
        "examplebucket-1250000000",
        "out/demo.${ext}",
        "ap-guangzhou",
    )
    assert job.pic_process_result is None
    assert job.cos_headers == (CosHeader("Content-Type", "video/mp4"), CosHeader("x-cos-meta-uid", "42"))
    assert job.workflow == WorkflowInfo(
        name="Transcode_1581665960537",
        run_id="ic90edd59f84f11ec9d4f525400a3c59f",
        workflow_id="web6ac56c1ef54dbfa44d7f4103203be9",
        workflow_name="wf-video",
    )
    output_file = job.operation["MediaResult"]["OutputFile"]
    assert output_file["ObjectName"] == "out/demo.mp4"
    assert output_file["Md5Info"] == {"Md5": "2db78d168edf2f883adce89a1b4ca033", "ObjectName": "out/demo.mp4"}
    assert job.operation["MediaInfo"]["Stream"]["Video"]["Width"] == "1280"


def test_it_reads_a_failed_json_job_with_numbers_as_strings():
    job = parse_callback(sample("failed-transcode.json")).job
    assert job.job_id == "j9a1b2c3d4e5f611ee8b1c525400000000"
    assert (job.state, job.code, job.message) == ("Failed", "InternalError", "download input failed")
    assert (job.tag, job.sub_tag, job.progress) == ("Transcode", "", None)
    assert job.queue_id == "p2242ab62c7c94486915508540933a2c6"
    assert job.creation_time == datetime(2024, 3, 5, 12, 0, 0, tzinfo=CST)
    assert job.start_time == datetime(2024, 3, 5, 12, 0, 1, tzinfo=CST)
    assert job.end_time == datetime(2024, 3, 5, 12, 0, 3, tzinfo=CST)
    assert (job.input_bucket, job.input_object, job.input_region) == (
        "examplebucket-1250000000",
        "in/broken.mp4",
        "ap-guangzhou",
    )
    assert (job.template_id, job.template_name) == ("t01e57db1c2d154d2fb57aa5de9313a897", "")
    assert job.job_level == 0
    assert job.user_data == "lesson-17"
    assert (job.output_bucket, job.output_object, job.output_region) == (
        "examplebucket-1250000000",
        "out/broken.${ext}",
        "ap-guangzhou",
    )
    assert job.cos_headers == (CosHeader("Content-Type", "video/mp4"),)
    assert job.workflow == WorkflowInfo(
        name="Transcode_1581665960537",
        run_id="i166ee19017b011eda8a5525400c540df",
        workflow_id="web6ac56c1ef54dbfa44d7f4103203be9",
        workflow_name="wf-video",
    )
    assert job.pic_process_result is None


def test_it_reads_a_workflow_finish_event():
    callback = parse_callback(sample("workflow-finish.xml"))
    assert callback.event_name == "WorkflowFinish"
    assert callback.job is None
    run = callback.workflow_run
    assert run.run_id == "ic90edd59f84f11ec9d4f525400a3c59f"
    assert run.workflow_id == "web6ac56c1ef54dbfa44d7f4103203be9"
    assert run.workflow_name == "workflow-test"
    assert run.state == "Success"
    assert (run.bucket_id, run.object) == ("test-1234567890", "input/deer.jpg")
    assert run.create_time == datetime(2022, 7, 18, 15, 16, 43, tzinfo=CST)
    assert run.cos_headers == SEED_HEADERS[:2]
    (task,) = run.tasks
    assert (task.type, task.job_id, task.state, task.name) == (
        "PicProcess",
        SEED_JOB_ID,
        "Success",
        "PicProcess_1581665960537",
    )
    assert task.create_time == datetime(2022, 7, 18, 15, 16, 43, tzinfo=CST)
    assert task.start_time == datetime(2022, 7, 18, 15, 16, 44, tzinfo=CST)
    assert task.end_time == datetime(2022, 7, 18, 15, 16, 44, tzinfo=CST)
    assert task.result_info is None
    assert (task.template_id, task.template_name) == ("t10461fe2bd5a649db9022452ec71e0381", "test")
