"""Read a CI callback body into plain data.

Bytes in, one normalised structure out, whatever the format: XML (CI's default) or JSON (when the
job asked for CallBackFormat=JSON). No Django here, so the whole parser is tested without a
database. Anything that is not a readable callback raises CallbackError with a message that names
what was wrong and where ("JobsDetail/JobId is missing").
"""

from __future__ import annotations

import codecs
import json
import re
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from xml.etree.ElementTree import ParseError

import defusedxml
import defusedxml.ElementTree as SafeElementTree

# CI reports times in China Standard Time; a time sent without an offset is read in it.
CI_TIMEZONE = timezone(timedelta(hours=8), "CST")
# The database keeps times in UTC and pages show them in any time zone (offsets are under a day),
# so a time must stay a valid datetime a day either side of its UTC value.
EARLIEST_TIME = datetime.min.replace(tzinfo=UTC) + timedelta(days=1)
LATEST_TIME = datetime.max.replace(tzinfo=UTC) - timedelta(days=1)

MAX_DEPTH = 64
INT32_MAX = 2**31 - 1
INT64_MAX = 2**63 - 1

# Lengths the database columns hold; a longer value is refused rather than cut.
SHORT = 64
NAME = 256
KEY = 1024

Tree = dict[str, Any]


class CallbackError(ValueError):
    """The body is not a callback we can read. The message says why, in plain words."""

    job_id = ""  # the JobId, when the body gave a readable one before what went wrong


@dataclass(frozen=True)
class CosHeader:
    key: str
    value: str


@dataclass(frozen=True)
class WorkflowInfo:
    name: str
    run_id: str
    workflow_id: str
    workflow_name: str


@dataclass(frozen=True)
class PicProcessResult:
    object_name: str
    original_etag: str
    original_format: str
    original_width: int | None
    original_height: int | None
    original_quality: int | None
    original_ave: str
    original_orientation: int | None
    processed_etag: str
    processed_format: str
    processed_width: int | None
    processed_height: int | None
    processed_quality: int | None
    processed_size: int | None


@dataclass(frozen=True)
class JobReport:
    """JobsDetail of a TaskFinish event."""

    job_id: str
    state: str
    code: str
    message: str
    tag: str
    sub_tag: str
    progress: float | None
    queue_id: str
    creation_time: datetime | None
    start_time: datetime | None
    end_time: datetime | None
    input_bucket: str
    input_object: str
    input_region: str
    template_id: str
    template_name: str
    user_data: str
    job_level: int | None
    output_bucket: str
    output_object: str
    output_region: str
    operation: Tree
    # None means the delivery did not carry the piece, which is not the same as "there is none".
    cos_headers: tuple[CosHeader, ...] | None
    workflow: WorkflowInfo | None
    pic_process_result: PicProcessResult | None


@dataclass(frozen=True)
class WorkflowTask:
    type: str
    name: str
    job_id: str
    state: str
    create_time: datetime | None
    start_time: datetime | None
    end_time: datetime | None
    template_id: str
    template_name: str
    result_info: Tree | str | None


@dataclass(frozen=True)
class WorkflowRunReport:
    """WorkflowExecution of a WorkflowFinish event."""

    run_id: str
    workflow_id: str
    workflow_name: str
    state: str
    bucket_id: str
    object: str
    create_time: datetime | None
    cos_headers: tuple[CosHeader, ...]
    tasks: tuple[WorkflowTask, ...]


@dataclass(frozen=True)
class Callback:
    event_name: str
    job: JobReport | None = None
    workflow_run: WorkflowRunReport | None = None
    body_format: str = field(default="xml", compare=False)


def values(record) -> dict[str, Any]:
    """The fields of a flat record as a dict (dataclasses.asdict deep-copies, at a cost per call)."""
    return {f.name: getattr(record, f.name) for f in fields(record)}


def parse_callback(body: bytes) -> Callback:
    body_format, tree = load_document(body)
    event_name = _Node(tree, "").identifier("EventName")
    if not event_name:
        if "JobsDetail" not in tree:
            raise CallbackError("EventName is missing")
        event_name = "TaskFinish"
    if event_name == "TaskFinish":
        return Callback(event_name, job=_job_report(tree), body_format=body_format)
    if event_name == "WorkflowFinish":
        return Callback(event_name, workflow_run=_workflow_run_report(tree), body_format=body_format)
    return Callback(event_name, body_format=body_format)


# --- From bytes to a tree of dicts, lists and strings ----------------------------------------

_BOMS = [
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
]


def load_document(body: bytes) -> tuple[str, Tree]:
    """Decide the format from the body itself (the Content-Type header is not to be trusted)."""
    text = _decode(body)
    if "\x00" in text:
        raise CallbackError("body contains a NUL character")
    start = text.lstrip()[:1]
    if not start:
        raise CallbackError("body is empty")
    if start == "<":
        return "xml", _load_xml(text)
    if start in '{["-0123456789' or text.strip() in ("true", "false", "null"):
        return "json", _load_json(text)
    raise CallbackError("body is neither XML nor JSON")


def readable_text(body: bytes) -> str:
    """The body as text for people: decoded as the parser decodes it (a BOM names UTF-16 or UTF-32),
    with replacement characters where it is not text."""
    try:
        return _decode(body)
    except CallbackError:
        return body.decode("utf-8", errors="replace")


def _decode(body: bytes) -> str:
    for bom, encoding in _BOMS:
        if body.startswith(bom):
            try:
                return body.decode(encoding).lstrip("\ufeff")
            except UnicodeDecodeError as error:
                raise CallbackError(f"body is not valid {encoding.upper()}: {error.reason}") from None
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise CallbackError(f"body is not valid UTF-8 (byte {error.start})") from None


def _load_xml(text: str) -> Tree:
    # The XML declaration names an encoding that no longer applies once the text is decoded.
    if text.lstrip().startswith("<?xml"):
        # Only the declaration: <?xml-stylesheet ...?> is a processing instruction, refused below.
        text = re.sub(r"^\s*<\?xml(?:\s[^>]*)?\?>", "", text, count=1)
    builder = _TreeBuilder()
    parser = SafeElementTree.DefusedXMLParser(
        target=builder, forbid_dtd=True, forbid_entities=True, forbid_external=True
    )
    # CI sends none; an instruction to some other XML processor has no business here.
    parser.parser.ProcessingInstructionHandler = _refuse_processing_instruction
    try:
        parser.feed(text)
        root_tag, tree = parser.close()
    except defusedxml.DTDForbidden:
        raise CallbackError("XML with a DOCTYPE is refused") from None
    except defusedxml.EntitiesForbidden:
        raise CallbackError("XML entity declarations are refused") from None
    except defusedxml.ExternalReferenceForbidden:
        raise CallbackError("XML external references are refused") from None
    except ParseError as error:
        raise CallbackError(f"body is not well-formed XML: {error}") from None
    if root_tag != "Response":
        raise CallbackError(f"XML root element is <{root_tag}>, expected <Response>")
    return tree if isinstance(tree, dict) else {}


def _refuse_processing_instruction(target: str, data: str) -> None:
    raise CallbackError(f"XML processing instructions are refused (<?{target[:40]} ...?>)")


class _TreeBuilder:
    """Builds the dict tree as the parser goes: an element with children becomes a dict, a leaf its
    text, a repeated child a list. No Element objects in between, and no recursion."""

    def __init__(self) -> None:
        # Each open element: its tag, its children (None while it has none) and its text.
        self.open: list[list] = [["", None, []]]

    def start(self, tag: str, attrib: dict) -> None:
        if len(self.open) > MAX_DEPTH:
            raise CallbackError(f"body is nested deeper than {MAX_DEPTH} levels")
        self.open.append([tag, None, []])

    def data(self, text: str) -> None:
        self.open[-1][2].append(text)

    def end(self, tag: str) -> None:
        tag, children, text = self.open.pop()
        value = children if children is not None else "".join(text)
        parent = self.open[-1]
        if parent[1] is None:
            parent[1] = {}
        siblings = parent[1]
        if tag not in siblings:
            siblings[tag] = value
        elif isinstance(siblings[tag], list):  # a value is text or a dict; a list means repeats
            siblings[tag].append(value)
        else:
            siblings[tag] = [siblings[tag], value]

    def close(self) -> tuple[str, Tree | str]:
        ((root_tag, tree),) = self.open[0][1].items()
        return root_tag, tree


def _load_json(text: str) -> Tree:
    try:
        # Numbers stay the text that was sent: a float would round 12345678901234567891.5 silently.
        data = json.loads(text, object_pairs_hook=_refuse_duplicate_keys, parse_float=str, parse_constant=str)
    except RecursionError:
        raise CallbackError(f"body is nested deeper than {MAX_DEPTH} levels") from None
    except ValueError as error:
        if isinstance(error, CallbackError):
            raise
        raise CallbackError(f"body is not valid JSON: {error}") from None
    if not isinstance(data, dict):
        raise CallbackError(f"JSON top level is {_kind(data)}, expected an object")
    if set(data) == {"Response"} and isinstance(data["Response"], dict):
        data = data["Response"]
    return _normalise_json(data, depth=1)


def _refuse_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise CallbackError(f"JSON object has the key {key!r} twice")
        result[key] = value
    return result


def _normalise_json(value: Any, depth: int) -> Any:
    """Make JSON look like XML read into a tree: every scalar a string, null as if omitted."""
    if depth > MAX_DEPTH:
        raise CallbackError(f"body is nested deeper than {MAX_DEPTH} levels")
    if isinstance(value, dict):
        return {_storable(k): _normalise_json(v, depth + 1) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_normalise_json(v, depth + 1) for v in value if v is not None]
    if isinstance(value, bool):
        return "true" if value else "false"
    return _storable(str(value))


# The raw body was checked for NUL bytes and decoded, which refuses surrogates; JSON can still spell
# either as an escape (a surrogate pair reads as one character, a lone surrogate stays one).
# Neither is text that UTF-8 or a database text column holds.
_UNSTORABLE = re.compile(r"[\x00\ud800-\udfff]")


def _storable(text: str) -> str:
    found = _UNSTORABLE.search(text)
    if found is None:
        return text
    if found.group() == "\x00":
        raise CallbackError("body contains a NUL character")
    raise CallbackError(f"body contains a lone surrogate \\u{ord(found.group()):04x}, which is not a character")


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "null"
    if isinstance(value, bool | int | float):
        return "a number" if not isinstance(value, bool) else "a boolean"
    return "text"


# --- Reading typed values out of the tree, with the path in every error ----------------------


class _Node:
    def __init__(self, tree: Tree, path: str) -> None:
        self.tree = tree
        self.path = path

    def where(self, key: str) -> str:
        return f"{self.path}/{key}" if self.path else key

    def has(self, key: str) -> bool:
        return key in self.tree

    def text(self, key: str, max_length: int | None = None) -> str:
        value = self.tree.get(key, "")
        if not isinstance(value, str):
            raise CallbackError(f"{self.where(key)} must be text, got {_kind(value)}")
        if max_length is not None and len(value) > max_length:
            raise CallbackError(f"{self.where(key)} is longer than {max_length} characters")
        if max_length == KEY and len(value.encode()) > KEY:
            # COS keys are at most 850 bytes; the bound keeps object keys indexable.
            raise CallbackError(f"{self.where(key)} is longer than {KEY} bytes")
        return value

    def identifier(self, key: str) -> str:
        """A name or state such as EventName or Tag: the spaces of a pretty-printed body are not part of it."""
        value = self.text(key).strip()
        if len(value) > SHORT:
            raise CallbackError(f"{self.where(key)} is longer than {SHORT} characters")
        return value

    def required_text(self, key: str, max_length: int) -> str:
        value = self.text(key, max_length).strip()
        if not value:
            raise CallbackError(f"{self.where(key)} is missing")
        return value

    def integer(self, key: str, maximum: int = INT32_MAX) -> int | None:
        raw = self.text(key).strip()
        if not raw:
            return None
        if not raw.isdigit() or not raw.isascii():
            raise CallbackError(f"{self.where(key)} must be a whole number of 0 or more, got {raw[:40]!r}")
        value = int(raw)
        if value > maximum:
            raise CallbackError(f"{self.where(key)} is too large ({raw[:40]})")
        return value

    def percent(self, key: str) -> float | None:
        raw = self.text(key).strip()
        if not raw:
            return None
        try:
            value = float(raw)
        except ValueError:
            value = -1.0
        if not 0 <= value <= 100:
            raise CallbackError(f"{self.where(key)} must be a number from 0 to 100, got {raw[:40]!r}")
        return value

    def time(self, key: str) -> datetime | None:
        raw = self.text(key).strip()
        if raw in ("", "-"):
            return None
        try:
            value = datetime.fromisoformat(raw)
        except ValueError:
            raise CallbackError(f"{self.where(key)} is not a time: {raw[:40]!r}") from None
        value = value if value.tzinfo else value.replace(tzinfo=CI_TIMEZONE)
        try:
            in_range = EARLIEST_TIME <= value <= LATEST_TIME
        except OverflowError:  # its UTC value is before year 1 or after year 9999
            in_range = False
        if not in_range:
            raise CallbackError(f"{self.where(key)} is out of range: {raw[:40]!r}")
        return value

    def child(self, key: str) -> _Node:
        value = self.tree.get(key, {})
        if value == "":  # an empty XML element: present, but with nothing inside
            value = {}
        if not isinstance(value, dict):
            raise CallbackError(f"{self.where(key)} must be an object, got {_kind(value)}")
        return _Node(value, self.where(key))

    def children(self, key: str) -> list[_Node]:
        """XML repeats an element where JSON has a list; both read as a list."""
        value = self.tree.get(key, [])
        items = value if isinstance(value, list) else [value]
        nodes = []
        for index, item in enumerate(items):
            path = f"{self.where(key)}[{index}]" if isinstance(value, list) else self.where(key)
            if item == "":
                continue
            if not isinstance(item, dict):
                raise CallbackError(f"{path} must be an object, got {_kind(item)}")
            nodes.append(_Node(item, path))
        return nodes


def _job_report(tree: Tree) -> JobReport:
    details = tree.get("JobsDetail")
    if details is None:
        raise CallbackError("JobsDetail is missing")
    if isinstance(details, list):
        raise CallbackError(f"JobsDetail appears {len(details)} times, expected once")
    job = _Node(tree, "").child("JobsDetail")
    job_id = job.required_text("JobId", SHORT)
    try:
        return _job_fields(job, job_id)
    except CallbackError as error:
        # A rejected delivery can then still be found from the job it was about.
        error.job_id = job_id
        raise


def _job_fields(job: _Node, job_id: str) -> JobReport:
    source = job.child("Input")
    operation = job.child("Operation")
    output = operation.child("Output")
    return JobReport(
        job_id=job_id,
        state=job.identifier("State"),
        code=job.text("Code", NAME),
        message=job.text("Message"),
        tag=job.identifier("Tag"),
        sub_tag=job.identifier("SubTag"),
        progress=job.percent("Progress"),
        queue_id=job.identifier("QueueId"),
        creation_time=job.time("CreationTime"),
        start_time=job.time("StartTime"),
        end_time=job.time("EndTime"),
        input_bucket=source.text("BucketId", NAME),
        input_object=source.text("Object", KEY),
        input_region=source.identifier("Region"),
        template_id=operation.identifier("TemplateId"),
        template_name=operation.text("TemplateName", NAME),
        user_data=operation.text("UserData"),
        job_level=operation.integer("JobLevel"),
        output_bucket=output.text("Bucket", NAME),
        output_object=output.text("Object", KEY),
        output_region=output.identifier("Region"),
        operation=operation.tree,
        cos_headers=_cos_headers(source) if source.has("CosHeaders") else None,
        workflow=_workflow(job),
        pic_process_result=(
            _pic_process_result(operation.child("PicProcessResult")) if operation.has("PicProcessResult") else None
        ),
    )


def _cos_headers(parent: _Node) -> tuple[CosHeader, ...]:
    return tuple(CosHeader(item.text("Key", NAME), item.text("Value")) for item in parent.children("CosHeaders"))


def _workflow(job: _Node) -> WorkflowInfo | None:
    # The vendor documents an object; a list of one is read the same way.
    nodes = job.children("Workflow")
    if len(nodes) > 1:
        raise CallbackError(f"{job.where('Workflow')} appears {len(nodes)} times, expected once")
    if not nodes:
        return None
    node = nodes[0]
    return WorkflowInfo(
        name=node.text("Name", NAME),
        run_id=node.identifier("RunId"),
        workflow_id=node.identifier("WorkflowId"),
        workflow_name=node.text("WorkflowName", NAME),
    )


def _pic_process_result(result: _Node) -> PicProcessResult:
    original = result.child("OriginalInfo")
    image = original.child("ImageInfo")
    processed = result.child("ProcessResult")
    return PicProcessResult(
        object_name=result.text("ObjectName", KEY),
        original_etag=original.text("Etag", NAME),
        original_format=image.identifier("Format"),
        original_width=image.integer("Width"),
        original_height=image.integer("Height"),
        original_quality=image.integer("Quality"),
        original_ave=image.identifier("Ave"),
        original_orientation=image.integer("Orientation"),
        processed_etag=processed.text("Etag", NAME),
        processed_format=processed.identifier("Format"),
        processed_width=processed.integer("Width"),
        processed_height=processed.integer("Height"),
        processed_quality=processed.integer("Quality"),
        processed_size=processed.integer("Size", INT64_MAX),
    )


def _workflow_run_report(tree: Tree) -> WorkflowRunReport:
    if "WorkflowExecution" not in tree:
        raise CallbackError("WorkflowExecution is missing")
    if isinstance(tree["WorkflowExecution"], list):
        raise CallbackError("WorkflowExecution appears more than once, expected once")
    run = _Node(tree, "").child("WorkflowExecution")
    return WorkflowRunReport(
        run_id=run.required_text("RunId", SHORT),
        workflow_id=run.identifier("WorkflowId"),
        workflow_name=run.text("WorkflowName", NAME),
        state=run.identifier("State"),
        bucket_id=run.text("BucketId", NAME),
        object=run.text("Object", KEY),
        create_time=run.time("CreateTime"),
        cos_headers=_cos_headers(run),
        tasks=tuple(_workflow_task(task) for task in run.children("Tasks")),
    )


def _workflow_task(task: _Node) -> WorkflowTask:
    result_info = task.tree.get("ResultInfo")
    return WorkflowTask(
        type=task.identifier("Type"),
        name=task.text("Name", NAME),
        job_id=task.identifier("JobId"),
        state=task.identifier("State"),
        create_time=task.time("CreateTime"),
        start_time=task.time("StartTime"),
        end_time=task.time("EndTime"),
        template_id=task.identifier("TemplateId"),
        template_name=task.text("TemplateName", NAME),
        result_info=result_info,
    )
