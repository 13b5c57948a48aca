"""Whatever the internet sends the public callback URL: a documented 4xx with a plain message, never
a 5xx, and stored values that are what was sent or nothing at all."""

import json
from pathlib import Path

import pytest

from cicallback.models import CosHeader, Delivery, Job
from tests.conftest import sample

pytestmark = pytest.mark.django_db

HOSTILE = Path(__file__).parent / "hostile"
LIMIT = 64 * 1024  # CICALLBACK_MAX_BODY_BYTES in the test settings


def job_json(**details) -> bytes:
    return json.dumps({"EventName": "TaskFinish", "JobsDetail": {"JobId": "j-hostile", **details}}).encode()


def headers_xml(count: int) -> bytes:
    headers = "".join(f"<CosHeaders><Key>k{i}</Key><Value>{i}</Value></CosHeaders>" for i in range(count))
    details = f"<JobsDetail><JobId>many</JobId><Input>{headers}</Input></JobsDetail>"
    return f"<Response><EventName>TaskFinish</EventName>{details}</Response>".encode()


def padded_to(size: int) -> bytes:
    body = sample("seed1-job-api.xml")
    return body.replace(b"</Response>", b" " * (size - len(body)) + b"</Response>")


XML_ATTACKS = [
    ("xxe-file.xml", "XML with a DOCTYPE is refused"),
    ("xxe-url.xml", "XML with a DOCTYPE is refused"),
    ("xxe-parameter-entity.xml", "XML with a DOCTYPE is refused"),
    ("billion-laughs.xml", "XML with a DOCTYPE is refused"),
    ("quadratic-blowup.xml", "XML with a DOCTYPE is refused"),
    ("external-dtd.xml", "XML with a DOCTYPE is refused"),
    ("doctype-plain.xml", "XML with a DOCTYPE is refused"),
    ("processing-instruction.xml", "XML processing instructions are refused"),
    ("processing-instruction-inside.xml", "XML processing instructions are refused"),
    ("processing-instruction-first.xml", "XML processing instructions are refused"),
]

BAD_BODIES = [
    # size
    ("a body one byte over the limit", padded_to(LIMIT + 1), 413, "over the limit of 65536 bytes"),
    ("a 100 KB JobId", job_json(JobId="j" * 100_000), 413, "over the limit"),
    ("a 60 KB JobId", job_json(JobId="j" * 60_000), 400, "JobsDetail/JobId is longer than 64 characters"),
    ("a 60 KB object key", job_json(Input={"Object": "k" * 60_000}), 400, "Input/Object is longer than 1024"),
    # encoding
    ("invalid UTF-8", b"<Response>\xc0\xaf</Response>", 400, "body is not valid UTF-8"),
    ("a NUL byte", sample("seed1-job-api.xml").replace(b"deer", b"de\x00er"), 400, "NUL character"),
    ("a NUL escaped in JSON", job_json(Message="a\u0000b"), 400, "NUL character"),
    ("a lone surrogate escaped in JSON", job_json(Operation={"UserData": "\ud800"}), 400, "lone surrogate \\ud800"),
    ("a lone surrogate escaped in a JSON key", job_json(Operation={"\udc00": "x"}), 400, "lone surrogate \\udc00"),
    ("a control character in XML", b"<Response>\x01</Response>", 400, "not well-formed XML"),
    ("a raw control character in a JSON string", b'{"EventName": "Task\x01Finish"}', 400, "not valid JSON"),
    # structure
    ("an empty body", b"", 400, "body is empty"),
    ("whitespace only", b" \r\n\t ", 400, "body is empty"),
    ("truncated XML", sample("seed1-job-api.xml")[:300], 400, "not well-formed XML"),
    ("truncated JSON", sample("seed3-workflow.json")[:300], 400, "not valid JSON"),
    ("the wrong XML root", b"<Job><JobId>1</JobId></Job>", 400, "expected <Response>"),
    ("JobsDetail missing", b"<Response><EventName>TaskFinish</EventName></Response>", 400, "JobsDetail is missing"),
    (
        "JobsDetail repeated",
        b"<Response><EventName>TaskFinish</EventName><JobsDetail><JobId>1</JobId></JobsDetail>"
        b"<JobsDetail><JobId>1</JobId></JobsDetail></Response>",
        400,
        "JobsDetail appears 2 times",
    ),
    ("JSON ten thousand levels deep", b"[" * 10_000 + b"]" * 10_000, 400, "nested deeper than 64 levels"),
    ("XML five thousand levels deep", b"<Response>" + b"<a>" * 5_000 + b"</a>" * 5_000 + b"</Response>", 400,
     "nested deeper than 64 levels"),
    ("a JSON array at the top", b"[]", 400, "JSON top level is a list"),
    ("a JSON string at the top", b'"TaskFinish"', 400, "JSON top level is text"),
    ("a JSON number at the top", b"42", 400, "JSON top level is a number"),
    ("JSON null at the top", b"null", 400, "JSON top level is null"),
    ("duplicate JSON keys", b'{"JobsDetail": {}, "JobsDetail": {}}', 400, "has the key 'JobsDetail' twice"),
    ("a word for a number", job_json(Operation={"PicProcessResult": {"ProcessResult": {"Width": "abc"}}}), 400,
     "ProcessResult/Width must be a whole number of 0 or more, got 'abc'"),
    ("a negative number", job_json(Operation={"PicProcessResult": {"ProcessResult": {"Width": -1}}}), 400,
     "ProcessResult/Width must be a whole number of 0 or more, got '-1'"),
    ("a number too large for its column",
     job_json(Operation={"PicProcessResult": {"ProcessResult": {"Width": "99999999999999999999"}}}), 400,
     "ProcessResult/Width is too large"),
    ("a size beyond 64 bits", job_json(Operation={"PicProcessResult": {"ProcessResult": {"Size": "9" * 20}}}), 400,
     "ProcessResult/Size is too large"),
    ("an object where text belongs", job_json(State={"x": "y"}), 400, "JobsDetail/State must be text, got an object"),
    ("a list where an object belongs", job_json(Operation=["a"]), 400, "JobsDetail/Operation must be an object"),
    ("null for the JobId", job_json(JobId=None), 400, "JobsDetail/JobId is missing"),
    ("a time that is not one", job_json(EndTime="2024-13-45T99:00:00+0800"), 400, "JobsDetail/EndTime is not a time"),
    ("a time before year 1 in UTC", job_json(EndTime="0001-01-01T00:00:00+0800"), 400,
     "JobsDetail/EndTime is out of range: '0001-01-01T00:00:00+0800'"),
    ("a time after year 9999 in UTC", job_json(CreationTime="9999-12-31T23:59:59-1000"), 400,
     "JobsDetail/CreationTime is out of range: '9999-12-31T23:59:59-1000'"),
]  # fmt: skip

ACCEPTED_BODIES = [
    ("a body exactly at the limit", padded_to(LIMIT), "stored"),
    ("a UTF-8 BOM", b"\xef\xbb\xbf" + sample("seed1-job-api.xml"), "stored"),
    ("UTF-16 with a BOM", sample("seed3-workflow.json").decode().encode("utf-16"), "stored"),
    (
        "UTF-16 XML with a BOM and its declaration",
        ('<?xml version="1.0" encoding="UTF-16"?>' + sample("seed1-job-api.xml").decode()).encode("utf-16"),
        "stored",
    ),
    ("null everywhere", job_json(State=None, Code=None, Input=None, Operation=None, Workflow=None), "stored"),
    ("an unknown EventName", b'{"EventName": "SomethingElse", "Whatever": [1, 2]}', "unknown_event"),
    ("unknown fields", job_json(Surprise={"Deep": {"Deeper": "x"}}, Operation={"NewType": {"A": "1"}}), "stored"),
    ("escaped control characters in JSON", job_json(Message="tab\tbell\u0007"), "stored"),
    ("an emoji escaped as a surrogate pair in JSON", job_json(Message="\U0001f600"), "stored"),
]


@pytest.mark.parametrize(("name", "message"), XML_ATTACKS, ids=[case[0] for case in XML_ATTACKS])
def test_xml_attacks_are_refused_with_400(sender, name, message):
    response = sender.post((HOSTILE / name).read_bytes())
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Job.objects.count() == 0
    assert Delivery.objects.get().outcome == "rejected"


@pytest.mark.parametrize(("case", "body", "status", "message"), BAD_BODIES, ids=[c[0] for c in BAD_BODIES])
def test_bad_bodies_get_a_clear_4xx(sender, case, body, status, message):
    response = sender.post(body, content_type="text/plain")
    assert response.status_code == status
    assert message in response.content.decode()
    assert Job.objects.count() == 0
    # A body that was read is kept, as rejected; one refused before reading is not.
    assert list(Delivery.objects.values_list("outcome", flat=True)) == (["rejected"] if status == 400 else [])


@pytest.mark.parametrize(("case", "body", "outcome"), ACCEPTED_BODIES, ids=[c[0] for c in ACCEPTED_BODIES])
def test_odd_but_valid_bodies_are_accepted(sender, case, body, outcome):
    response = sender.post(body)
    assert response.status_code == 200, response.content
    assert Delivery.objects.get().outcome == outcome


def test_thousands_of_cos_headers_are_all_kept_in_order(sender, settings):
    settings.CICALLBACK_MAX_BODY_BYTES = 2 * 1024 * 1024
    assert sender.post(headers_xml(20_000)).status_code == 200
    assert CosHeader.objects.count() == 20_000
    assert list(CosHeader.objects.order_by("position").values_list("key", flat=True)[19_998:]) == ["k19998", "k19999"]


@pytest.mark.parametrize("content_type", ["", "text/plain", "application/octet-stream", "multipart/form-data", "x/y;;"])
def test_the_content_type_header_does_not_decide_the_format(sender, content_type):
    response = sender.post(sample("seed3-workflow.json"), content_type=content_type)
    assert response.status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/callback/%00/",
        "/callback/..%2F..%2Fetc/",
        "/callback/%E2%80%AE/",
        "/callback/" + "a" * 10_000 + "/",
        "/callback/%ff%fe/",
        "/callback/test-token-one%20/",
        "/callback/'%3B--/",
        "/callback//",
    ],
)
def test_odd_tokens_are_refused_as_unknown_in_plain_text(client, path):
    response = client.generic("POST", path, sample("seed1-job-api.xml"))
    assert response.status_code == 404
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content == b"unknown callback token\n"
    assert Delivery.objects.count() == 0


def test_an_oversized_body_is_refused_before_anything_is_stored(sender):
    sender.post(padded_to(LIMIT + 1))
    assert Delivery.objects.count() == 0


@pytest.mark.parametrize(
    ("field", "body", "message"),
    [
        ("JobId", job_json(JobId="j" * 100_000), "JobsDetail/JobId is longer than 64 characters"),
        ("object key", job_json(Input={"Object": "k" * 100_000}), "JobsDetail/Input/Object is longer than 1024"),
    ],
    ids=["JobId", "object key"],
)
def test_a_100_kb_field_under_the_default_body_limit_is_refused_by_name(sender, settings, field, body, message):
    settings.CICALLBACK_MAX_BODY_BYTES = 1024 * 1024  # the production default
    response = sender.post(body, content_type="application/json")
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Delivery.objects.get().outcome == "rejected"
