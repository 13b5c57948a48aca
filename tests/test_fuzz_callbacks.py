"""Property-based fuzzing over the real samples: no exception escapes the parser, no request gets a
5xx, and every accepted delivery round-trips (the stored job equals the parsed body)."""

import json
from dataclasses import asdict

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from cicallback.models import Job
from cicallback.parsing import CallbackError, parse_callback
from cicallback.store import _JOB_COLUMNS
from tests.conftest import SAMPLES

SAMPLE_BODIES = [path.read_bytes() for path in sorted(SAMPLES.iterdir()) if path.suffix in (".xml", ".json")]
FUZZ = settings(
    derandomize=True,
    deadline=None,
    max_examples=150,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@st.composite
def mutated_bytes(draw) -> bytes:
    body = bytearray(draw(st.sampled_from(SAMPLE_BODIES)))
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(body)))
        action = draw(st.sampled_from(["flip", "delete", "insert", "truncate", "repeat"]))
        if action == "flip" and at < len(body):
            body[at] = draw(st.integers(0, 255))
        elif action == "delete":
            del body[at : at + draw(st.integers(1, 40))]
        elif action == "insert":
            body[at:at] = draw(st.sampled_from([b"<", b">", b"&", b'"', b"{", b"}", b"]", b",", b"\\", b"\xff", b"-"]))
        elif action == "truncate":
            del body[at:]
        elif action == "repeat":
            body[at:at] = body[at : at + draw(st.integers(1, 60))]
    return bytes(body)


# Surrogates too: JSON can escape one on its own, though no text holds it.
CHARACTERS = st.one_of(st.characters(), st.characters(categories=["Cs"]))
TRICKY_TEXTS = [
    "", "-", "0", "417", "Failed", "\ud800", "2022-07-18T15:16:44+0800", "2022-07-18 15:16:44+0800",
    "0001-01-01T00:00:00+0800", "9999-12-31T23:59:59-1000",  # beyond the calendar in UTC
]  # fmt: skip
JSON_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(CHARACTERS, max_size=30),
    st.sampled_from(TRICKY_TEXTS),
    st.lists(st.text(CHARACTERS, max_size=5), max_size=3),
    st.dictionaries(st.text(CHARACTERS, max_size=5), st.text(CHARACTERS, max_size=5), max_size=3),
)


def leaf_paths(tree, prefix=()):
    if isinstance(tree, dict):
        for key, value in tree.items():
            yield from leaf_paths(value, (*prefix, key))
    elif isinstance(tree, list):
        for index, value in enumerate(tree):
            yield from leaf_paths(value, (*prefix, index))
    yield prefix


@st.composite
def mutated_json(draw) -> bytes:
    tree = json.loads(draw(st.sampled_from([b for b in SAMPLE_BODIES if b.lstrip().startswith(b"{")])))
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(list(leaf_paths(tree))))
        if not path:
            continue
        parent = tree
        for step in path[:-1]:
            parent = parent[step]
        parent[path[-1]] = draw(JSON_VALUES)
    return json.dumps(tree).encode()


BODIES = st.one_of(mutated_bytes(), mutated_json())


@FUZZ
@given(body=BODIES)
def test_the_parser_raises_nothing_but_callback_errors(body):
    try:
        parse_callback(body)
    except CallbackError as error:
        assert str(error)


@pytest.mark.django_db
@settings(parent=FUZZ, max_examples=80)
@given(body=BODIES)
def test_the_endpoint_never_answers_5xx_and_accepted_jobs_round_trip(sender, body):
    Job.objects.all().delete()
    response = sender.post(body)
    assert response.status_code in (200, 400), response.content
    event(f"answered {response.status_code}")
    if response.status_code == 200 and response.content.startswith(b"stored "):
        report = parse_callback(body).job
        if report is not None:
            assert_stored_as_parsed(report)


def assert_stored_as_parsed(report) -> None:
    job = Job.objects.get(job_id=report.job_id)
    for column in _JOB_COLUMNS:
        assert getattr(job, column) == getattr(report, column), column
    assert job.operation == report.operation
    if report.cos_headers is not None:
        assert list(job.cos_headers.values_list("key", "value")) == [(h.key, h.value) for h in report.cos_headers]
    if report.workflow is not None:
        assert {k: getattr(job.workflow, k) for k in asdict(report.workflow)} == asdict(report.workflow)
    if report.pic_process_result is not None:
        stored = job.pic_process_result
        assert {k: getattr(stored, k) for k in asdict(report.pic_process_result)} == asdict(report.pic_process_result)
