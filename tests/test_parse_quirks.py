"""The quirks a receiver meets (see DOMAIN.md), each pinned on a small body."""

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest

from cicallback.parsing import CallbackError, parse_callback

CST = timezone(timedelta(hours=8))


def xml_job(inner: str, event: str = "TaskFinish") -> bytes:
    return (
        f"<Response><EventName>{event}</EventName><JobsDetail><JobId>j1</JobId>{inner}</JobsDetail></Response>".encode()
    )


def json_job(**details) -> bytes:
    return json.dumps({"EventName": "TaskFinish", "JobsDetail": {"JobId": "j1", **details}}).encode()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2022-07-18T15:16:43+0800", datetime(2022, 7, 18, 15, 16, 43, tzinfo=CST)),
        ("2022-07-18 15:16:43+0800", datetime(2022, 7, 18, 15, 16, 43, tzinfo=CST)),
        ("2022-07-18T15:16:43+08:00", datetime(2022, 7, 18, 15, 16, 43, tzinfo=CST)),
        ("2022-07-18T07:16:43Z", datetime(2022, 7, 18, 7, 16, 43, tzinfo=UTC)),
        ("2022-07-18T15:16:43", datetime(2022, 7, 18, 15, 16, 43, tzinfo=CST)),
        ("-", None),
        ("", None),
    ],
)
def test_it_reads_every_time_form_timezone_aware(raw, expected):
    job = parse_callback(xml_job(f"<EndTime>{raw}</EndTime>")).job
    assert job.end_time == expected
    if expected is not None:
        assert job.end_time.tzinfo is not None


def test_an_omitted_time_is_none():
    assert parse_callback(xml_job("")).job.creation_time is None


def test_it_refuses_a_time_it_cannot_read():
    with pytest.raises(CallbackError, match="JobsDetail/EndTime is not a time: 'yesterday'"):
        parse_callback(xml_job("<EndTime>yesterday</EndTime>"))


@pytest.mark.parametrize("raw", ["0001-01-01T00:00:00+0800", "9999-12-31T23:59:59-1000", "0001-01-01T12:00:00+0000"])
def test_it_refuses_a_time_too_close_to_the_ends_of_the_calendar_to_store_and_show(raw):
    with pytest.raises(CallbackError) as error:
        parse_callback(xml_job(f"<EndTime>{raw}</EndTime>"))
    assert str(error.value) == f"JobsDetail/EndTime is out of range: {raw!r}"


def test_a_time_a_day_inside_the_calendar_is_read():
    job = parse_callback(
        xml_job("<StartTime>0001-01-02T08:00:00+0800</StartTime><EndTime>9999-12-30T23:59:59Z</EndTime>")
    ).job
    assert job.start_time == datetime(1, 1, 2, tzinfo=UTC)
    assert job.end_time == datetime(9999, 12, 30, 23, 59, 59, tzinfo=UTC)


def test_one_cos_header_is_a_list_of_one():
    job = parse_callback(xml_job("<Input><CosHeaders><Key>a</Key><Value>1</Value></CosHeaders></Input>")).job
    assert [(h.key, h.value) for h in job.cos_headers] == [("a", "1")]


def test_repeated_header_keys_keep_their_order():
    headers = "".join(f"<CosHeaders><Key>x-cos-meta-k</Key><Value>{i}</Value></CosHeaders>" for i in range(3))
    job = parse_callback(xml_job(f"<Input>{headers}</Input>")).job
    assert [h.value for h in job.cos_headers] == ["0", "1", "2"]


def test_non_ascii_header_keys_are_stored_as_sent():
    body = json_job(Input={"CosHeaders": [{"Key": "x-cos-meta-名前", "Value": "值%20"}]})
    (header,) = parse_callback(body).job.cos_headers
    assert (header.key, header.value) == ("x-cos-meta-名前", "值%20")


def test_a_workflow_sent_as_a_list_of_one_reads_as_an_object():
    body = json_job(Workflow=[{"RunId": "r1", "WorkflowId": "w1", "Name": "n", "WorkflowName": "wn"}])
    workflow = parse_callback(body).job.workflow
    assert (workflow.run_id, workflow.workflow_id) == ("r1", "w1")


def test_missing_input_operation_and_result_are_fine():
    job = parse_callback(json_job(State="Success", Tag="Tts")).job
    assert (job.input_bucket, job.input_object, job.output_object) == ("", "", "")
    assert job.operation == {}
    assert job.pic_process_result is None
    assert job.cos_headers is None


def test_an_empty_element_reads_as_empty_text_or_empty_object():
    job = parse_callback(xml_job("<Message/><Input/><Operation><Output/></Operation>")).job
    assert job.message == ""
    assert job.input_bucket == ""


def test_json_numbers_and_booleans_read_like_xml_text():
    body = json_job(Progress=55, Operation={"JobLevel": 1, "PicProcess": {"IsPicInfo": True}})
    job = parse_callback(body).job
    assert job.progress == 55
    assert job.job_level == 1
    assert job.operation["PicProcess"]["IsPicInfo"] == "true"


def test_json_null_reads_as_omitted():
    job = parse_callback(json_job(Message=None, Input=None, Workflow=None)).job
    assert job.message == ""
    assert job.workflow is None


def test_a_surrogate_pair_escaped_in_json_reads_as_the_one_character_it_spells():
    job = parse_callback(b'{"JobsDetail": {"JobId": "j1", "Message": "\\ud83d\\ude00"}}').job
    assert job.message == "\U0001f600"


def test_a_json_body_wrapped_in_response_is_read_too():
    body = json.dumps({"Response": {"EventName": "TaskFinish", "JobsDetail": {"JobId": "j9"}}}).encode()
    assert parse_callback(body).job.job_id == "j9"


def test_the_format_comes_from_the_body_not_the_header():
    # No content type is given to the parser at all: leading whitespace and a BOM are allowed.
    assert parse_callback(b"\n  " + xml_job("")).body_format == "xml"
    assert parse_callback(b"\xef\xbb\xbf" + json_job()).body_format == "json"


def test_utf16_with_a_bom_is_read():
    body = '<?xml version="1.0" encoding="UTF-16"?><Response><JobsDetail><JobId>é1</JobId></JobsDetail></Response>'
    assert parse_callback(body.encode("utf-16")).job.job_id == "é1"


def test_an_unknown_event_is_read_without_a_job():
    callback = parse_callback(b"<Response><EventName>SomethingNew</EventName><Foo>1</Foo></Response>")
    assert callback.event_name == "SomethingNew"
    assert callback.job is None
    assert callback.workflow_run is None


def test_a_missing_event_name_with_jobs_detail_is_a_task_finish():
    callback = parse_callback(b"<Response><JobsDetail><JobId>j1</JobId></JobsDetail></Response>")
    assert callback.event_name == "TaskFinish"


def test_unknown_fields_are_kept_in_the_operation():
    job = parse_callback(json_job(Operation={"Snapshot": {"Count": "3"}, "NewThing": {"A": "b"}})).job
    assert job.operation == {"Snapshot": {"Count": "3"}, "NewThing": {"A": "b"}}


def test_names_and_states_of_a_pretty_printed_body_lose_their_surrounding_spaces():
    body = b"""<Response>
  <EventName>
    TaskFinish
  </EventName>
  <JobsDetail>
    <JobId> j1 </JobId>
    <State>
      Failed
    </State>
    <Tag> PicProcess </Tag>
  </JobsDetail>
</Response>"""
    callback = parse_callback(body)
    assert callback.event_name == "TaskFinish"
    assert (callback.job.job_id, callback.job.state, callback.job.tag) == ("j1", "Failed", "PicProcess")


def test_json_decimals_are_kept_as_the_text_that_was_sent():
    body = json_job(Operation={"MediaInfo": {"Size": "SIZE"}}).replace(b'"SIZE"', b"12345678901234567891.50")
    operation = parse_callback(body).job.operation
    assert operation["MediaInfo"]["Size"] == "12345678901234567891.50"
