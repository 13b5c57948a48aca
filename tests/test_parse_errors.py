"""A body that is not a callback is refused with a message that says what is wrong and where."""

import json

import pytest

from cicallback.parsing import CallbackError, parse_callback


def refusal(body: bytes) -> str:
    with pytest.raises(CallbackError) as error:
        parse_callback(body)
    return str(error.value)


def details(**fields) -> bytes:
    return json.dumps({"EventName": "TaskFinish", "JobsDetail": {"JobId": "j1", **fields}}).encode()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "body is empty"),
        (b"  \n\t ", "body is empty"),
        (b"hello", "body is neither XML nor JSON"),
        (b"<Response><JobsDetail>", "body is not well-formed XML"),
        (b'{"EventName": "TaskFinish"', "body is not valid JSON"),
        (b"<Job><JobId>1</JobId></Job>", "XML root element is <Job>, expected <Response>"),
        (b"[1, 2]", "JSON top level is a list, expected an object"),
        (b"\xff\xfe\xfa", "body is not valid"),
        (b"<Response>\xc3\x28</Response>", "body is not valid UTF-8 (byte 10)"),
        (b"<Response>\x00</Response>", "body contains a NUL character"),
        (b'{"JobsDetail": {"JobId": "j1", "Operation": {"UserData": "\\ud800"}}}',
         "body contains a lone surrogate \\ud800, which is not a character"),
        (b'{"JobsDetail": {"JobId": "j1", "Operation": {"\\udfff": "x"}}}',
         "body contains a lone surrogate \\udfff, which is not a character"),
        (b'{"JobsDetail": {"JobId": "j1", "Message": "\\ude00\\ud83d"}}',
         "body contains a lone surrogate \\ude00, which is not a character"),
        (b"<Response><EventName>TaskFinish</EventName></Response>", "JobsDetail is missing"),
        (b"<Response><Foo/></Response>", "EventName is missing"),
        (b"<Response><EventName>TaskFinish</EventName><JobsDetail><State>x</State></JobsDetail></Response>",
         "JobsDetail/JobId is missing"),
        (b"<Response><EventName>TaskFinish</EventName><JobsDetail><JobId>1</JobId></JobsDetail>"
         b"<JobsDetail><JobId>2</JobId></JobsDetail></Response>", "JobsDetail appears 2 times, expected once"),
        (b"<Response><EventName>WorkflowFinish</EventName></Response>", "WorkflowExecution is missing"),
        (b'<!DOCTYPE r [<!ENTITY a "x">]><Response/>', "XML with a DOCTYPE is refused"),
        (b'{"EventName": "TaskFinish", "EventName": "TaskFinish"}', "JSON object has the key 'EventName' twice"),
        (b"[" * 10000 + b"]" * 10000, "body is nested deeper than 64 levels"),
        (b'{"a":' * 10000 + b"1" + b"}" * 10000, "nested deeper than"),
    ],
)  # fmt: skip
def test_it_refuses_what_is_not_a_callback(body, message):
    assert message in refusal(body)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"JobId": ""}, "JobsDetail/JobId is missing"),
        ({"JobId": {"a": "b"}}, "JobsDetail/JobId must be text, got an object"),
        ({"JobId": "j" * 65}, "JobsDetail/JobId is longer than 64 characters"),
        ({"Input": "bucket"}, "JobsDetail/Input must be an object, got text"),
        ({"Input": {"Object": "k" * 1025}}, "JobsDetail/Input/Object is longer than 1024 characters"),
        ({"Input": {"Object": "键" * 400}}, "JobsDetail/Input/Object is longer than 1024 bytes"),
        ({"Progress": "lots"}, "JobsDetail/Progress must be a number from 0 to 100, got 'lots'"),
        ({"Input": {"CosHeaders": ["x"]}}, "JobsDetail/Input/CosHeaders[0] must be an object, got text"),
        ({"Workflow": [{"RunId": "a"}, {"RunId": "b"}]}, "JobsDetail/Workflow appears 2 times, expected once"),
    ],
)
def test_it_names_the_field_that_is_wrong(fields, message):
    assert message in refusal(details(**fields))


@pytest.mark.parametrize(
    ("width", "message"),
    [
        ("abc", "must be a whole number of 0 or more, got 'abc'"),
        ("-1", "must be a whole number of 0 or more, got '-1'"),
        ("1.5", "must be a whole number of 0 or more, got '1.5'"),
        ("99999999999999999999", "is too large (99999999999999999999)"),
        ("\uff12", "must be a whole number of 0 or more, got '\uff12'"),
    ],
)
def test_it_refuses_a_number_that_does_not_fit_rather_than_guess(width, message):
    body = details(Operation={"PicProcessResult": {"ProcessResult": {"Width": width}}})
    assert refusal(body) == f"JobsDetail/Operation/PicProcessResult/ProcessResult/Width {message}"
