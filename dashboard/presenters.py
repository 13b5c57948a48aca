"""What the pages show of a job, worked out from what CI sent: dimensions, sizes, readable bodies."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from xml.etree.ElementTree import ParseError, indent, tostring

import defusedxml.ElementTree as SafeElementTree
from django.utils import timezone

from cicallback.models import CosHeader, Job
from cicallback.parsing import readable_text

# COS names the object's size differently in object events and in HEAD responses.
SIZE_HEADERS = ("Size", "Content-Length")


@dataclass(frozen=True)
class Result:
    """Before and after of a job's output, as far as the callback says."""

    before_dimensions: str = ""
    after_dimensions: str = ""
    before_size: int | None = None
    after_size: int | None = None

    def __bool__(self) -> bool:
        return bool(self.before_dimensions or self.after_dimensions or self.after_size)

    @property
    def size_ratio(self) -> float | None:
        if self.before_size and self.after_size is not None:
            return self.after_size / self.before_size
        return None


@dataclass(frozen=True)
class Moment:
    """A time as a list row shows it, in the current time zone, formatted once per row."""

    iso: str
    date: str
    time: str


def moment(value: datetime | None) -> Moment | None:
    # Three |date filters per row cost more than the rest of the row: format it here instead.
    if value is None:
        return None
    local = timezone.localtime(value)
    return Moment(local.isoformat(), local.strftime("%Y-%m-%d"), local.strftime("%H:%M:%S %Z"))


def result_of(job: Job, headers: list[CosHeader] | None = None) -> Result:
    """The job's result; `headers` are its COS headers when loaded (the input's size is there)."""
    before_size = input_size(headers or [])
    pic = _loaded_pic_process_result(job)
    if pic is not None:
        return Result(
            before_dimensions=_dimensions(pic.original_width, pic.original_height),
            after_dimensions=_dimensions(pic.processed_width, pic.processed_height),
            before_size=before_size,
            after_size=pic.processed_size,
        )
    media = job.operation.get("MediaInfo") if isinstance(job.operation, dict) else None
    if isinstance(media, dict):
        video = _dig(media, "Stream", "Video")
        return Result(
            after_dimensions=_dimensions(_int(_dig(video, "Width")), _int(_dig(video, "Height"))),
            before_size=before_size,
            after_size=_int(_dig(media, "Format", "Size")),
        )
    return Result()


def input_size(headers: list[CosHeader]) -> int | None:
    for header in headers:
        if header.key in SIZE_HEADERS:
            return _int(header.value)
    return None


def _loaded_pic_process_result(job: Job):
    try:
        return job.pic_process_result
    except Job.pic_process_result.RelatedObjectDoesNotExist:
        return None


def _dimensions(width: int | None, height: int | None) -> str:
    if width is None or height is None:
        return ""
    return f"{width}\u00d7{height}"


def _dig(tree: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(tree, dict):
            return None
        tree = tree.get(key)
    return tree


def _int(value: Any) -> int | None:
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return None


@dataclass(frozen=True)
class OperationLine:
    depth: int
    key: str
    value: str | None  # None for a heading of nested values


def operation_lines(tree: Any, depth: int = 0) -> list[OperationLine]:
    """The Operation tree as indented lines, so job types without a panel of their own stay readable."""
    lines: list[OperationLine] = []
    items = tree.items() if isinstance(tree, dict) else ((f"#{i + 1}", v) for i, v in enumerate(tree))
    for key, value in items:
        if isinstance(value, dict | list) and value:
            lines.append(OperationLine(depth, key, None))
            lines.extend(operation_lines(value, depth + 1))
        else:
            lines.append(OperationLine(depth, key, "" if value in ({}, []) else str(value)))
    return lines


def pretty_body(body: bytes) -> str:
    """The delivery body indented for reading; as received when it is neither JSON nor XML."""
    text = readable_text(body)
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")):
        try:
            return json.dumps(json.loads(stripped), indent=2, ensure_ascii=False)
        except ValueError:
            return text
    try:
        root = SafeElementTree.fromstring(body)
    except (ParseError, ValueError, SafeElementTree.DefusedXmlException):
        return text
    indent(root, space="  ")
    return tostring(root, encoding="unicode")
