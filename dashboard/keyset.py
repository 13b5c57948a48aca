"""Keyset pagination: pages found by the last row's sort key, not by an OFFSET.

An OFFSET makes the database walk every skipped row, so page 2,000 of a million jobs would be as
slow as reading them all. A page here starts from the (sort value, id) of the row before it, which
an index finds directly. The price is that pages have no numbers, only "newer" and "older".

NULLs sort where the database puts them by default (last when ascending on PostgreSQL, first on
SQLite), so the ORDER BY has no NULLS clause and an index on the column serves it.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import connections
from django.db.models import Expression, ExpressionWrapper, F, Q, QuerySet
from django.db.models.fields import DurationField
from django.utils.dateparse import parse_datetime


@dataclass(frozen=True)
class SortKey:
    label: str
    expression: Expression
    kind: str  # "text", "datetime" or "duration": how a cursor value is written in the URL
    nullable: bool = True


SORT_KEYS: dict[str, SortKey] = {
    "received": SortKey("Received", F("id"), "id", nullable=False),
    "job_id": SortKey("JobId", F("job_id"), "text", nullable=False),
    "tag": SortKey("Tag · Workflow", F("tag"), "text", nullable=False),
    "state": SortKey("State", F("state"), "text", nullable=False),
    "created": SortKey("Created", F("creation_time"), "datetime"),
    "ended": SortKey("Finished at", F("end_time"), "datetime"),
    "duration": SortKey(
        "Duration", ExpressionWrapper(F("end_time") - F("start_time"), output_field=DurationField()), "duration"
    ),
    "wait": SortKey(
        "Queue wait",
        ExpressionWrapper(F("start_time") - F("creation_time"), output_field=DurationField()),
        "duration",
    ),
}
DEFAULT_SORT = "-received"


@dataclass(frozen=True)
class Ordering:
    key: str
    descending: bool

    @classmethod
    def parse(cls, text: str | None) -> Ordering:
        text = text or DEFAULT_SORT
        descending = text.startswith("-")
        key = text.lstrip("-")
        if key not in SORT_KEYS:
            return cls.parse(DEFAULT_SORT)
        return cls(key, descending)

    def __str__(self) -> str:
        return ("-" if self.descending else "") + self.key

    @property
    def sort_key(self) -> SortKey:
        return SORT_KEYS[self.key]


@dataclass
class Page:
    rows: list
    next_cursor: str | None
    previous_cursor: str | None


def paginate(queryset: QuerySet, ordering: Ordering, cursor: str | None, size: int) -> Page:
    """One page of `queryset` in `ordering`, after (or, for a "<" cursor, before) the cursor's row."""
    position = _decode(cursor, ordering.sort_key.kind)
    backwards = position is not None and position[0] == "<"
    queryset = queryset.annotate(sort_value=ordering.sort_key.expression)
    if position is not None:
        _, value, row_id = position
        # Walking back means walking the reversed ordering forwards from the cursor.
        nulls_largest = connections[queryset.db].features.nulls_order_largest
        descending = ordering.descending != backwards
        queryset = queryset.filter(_beyond(value, row_id, descending, nulls_largest, ordering.sort_key.nullable))
    queryset = queryset.order_by(*_order_by(ordering.descending != backwards))
    rows = list(queryset[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    if backwards:
        rows.reverse()
    has_next = more if not backwards else True
    has_previous = (more if backwards else True) if position is not None else False
    return Page(
        rows=rows,
        next_cursor=_encode(">", rows[-1], ordering) if rows and has_next else None,
        previous_cursor=_encode("<", rows[0], ordering) if rows and has_previous else None,
    )


def _order_by(descending: bool) -> list:
    if descending:
        return [F("sort_value").desc(), F("id").desc()]
    return [F("sort_value").asc(), F("id").asc()]


def _beyond(value: Any, row_id: int, descending: bool, nulls_largest: bool, nullable: bool = True) -> Q:
    """Rows after (value, row_id) in the ordering; NULL is the largest value or the smallest."""
    toward_nulls = nullable and descending != nulls_largest
    after_id = Q(id__lt=row_id) if descending else Q(id__gt=row_id)
    if value is None:
        among_nulls = Q(sort_value__isnull=True) & after_id
        return among_nulls if toward_nulls else among_nulls | Q(sort_value__isnull=False)
    past = Q(sort_value__lt=value) if descending else Q(sort_value__gt=value)
    # The redundant bound (value <= v) is what the index starts from: without it the OR below is
    # only a filter, and a page deep in the list would walk every row before it.
    bound = Q(sort_value__lte=value) if descending else Q(sort_value__gte=value)
    beyond = bound & (past | (Q(sort_value=value) & after_id))
    return beyond | Q(sort_value__isnull=True) if toward_nulls else beyond


def _encode(direction: str, row, ordering: Ordering) -> str:
    value = row.sort_value
    if isinstance(value, datetime):
        value = value.isoformat()
    elif isinstance(value, timedelta):
        value = value // timedelta(microseconds=1)
    text = json.dumps([direction, value, row.id], separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _decode(cursor: str | None, kind: str) -> tuple[str, Any, int] | None:
    """The cursor's (direction, value, id), or None for a missing or unreadable cursor (first page)."""
    if not cursor:
        return None
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        direction, value, row_id = json.loads(text)
        if direction not in ("<", ">") or not isinstance(row_id, int):
            return None
        return direction, _value(value, kind), row_id
    except (ValueError, TypeError, UnicodeDecodeError):
        return None


def _value(value: Any, kind: str) -> Any:
    if value is None:
        return None
    if kind == "datetime":
        parsed = parse_datetime(value)
        if parsed is None:
            raise ValueError(value)
        return parsed
    if kind == "duration":
        return timedelta(microseconds=int(value))
    if kind == "id":
        return int(value)
    return str(value)
