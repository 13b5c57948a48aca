"""Keyset ("cursor") pagination that stays exact on nullable, repeated sort values.

DRF's CursorPagination keeps its place by the first ordering field alone, counts ties with an
OFFSET and cannot place a NULL. Job times repeat (CI reports them to the second) and are NULL until
a job starts or ends, so here a page starts after the pair (value, id) of the row before it: every
row has one place, and no page is found by counting.

NULL sorts as the largest value, as a PostgreSQL b-tree index keeps it, so reading in either
direction is one range scan of the column's index: rows with a value, then the NULLs (or the
reverse). A page that crosses from one part to the other reads both, in two queries.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from django.db.models import F, Model, Q, QuerySet
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param


class KeysetPagination(BasePagination):
    cursor_query_param = "cursor"
    ordering_query_param = "ordering"
    page_size_query_param = "page_size"
    page_size = 50
    max_page_size = 500
    # Orderings a client may ask for: a field name, "-" for descending. The first is the default.
    orderings: Sequence[str] = ("-id", "id")

    def paginate_queryset(self, queryset: QuerySet, request: Request, view=None) -> list[Model]:
        self.request = request
        self.ordering = self._ordering_from(request)
        self.size = self._page_size_from(request)
        field = self.ordering.lstrip("-")
        cursor = self._cursor_from(request)
        backwards = cursor is not None and cursor["backwards"]
        # Reading backwards from a cursor is reading the reverse order forwards.
        up = self.ordering.startswith("-") == backwards

        rows: list[Model] = []
        nullable = queryset.model._meta.get_field(field).null
        for condition, order in _parts(field, up, cursor, nullable):
            rows += queryset.filter(condition).order_by(*order)[: self.size + 1 - len(rows)]
            if len(rows) > self.size:
                break
        more = len(rows) > self.size
        rows = rows[: self.size]
        if backwards:
            rows.reverse()

        self.next_cursor = self.previous_cursor = None
        if rows and (more or backwards):
            self.next_cursor = self._encode(rows[-1], field, backwards=False)
        if rows and (more if backwards else cursor is not None):
            self.previous_cursor = self._encode(rows[0], field, backwards=True)
        return rows

    def get_paginated_response(self, data: list[Any]) -> Response:
        return Response(
            {"next": self._link(self.next_cursor), "previous": self._link(self.previous_cursor), "results": data}
        )

    def get_paginated_response_schema(self, schema: dict) -> dict:
        link = {"type": "string", "format": "uri", "nullable": True}
        return {
            "type": "object",
            "required": ["next", "previous", "results"],
            "properties": {"next": link, "previous": link, "results": schema},
        }

    def get_schema_operation_parameters(self, view) -> list[dict]:
        return [
            {
                "name": self.cursor_query_param,
                "in": "query",
                "required": False,
                "description": "Where a page starts: taken from the next or previous link of another page.",
                "schema": {"type": "string"},
            },
            {
                "name": self.ordering_query_param,
                "in": "query",
                "required": False,
                "description": f"Sort order, default {self.orderings[0]}. A missing time sorts as the "
                "largest (last ascending, first descending); ties are broken by id in the same direction.",
                "schema": {"type": "string", "enum": list(self.orderings), "default": self.orderings[0]},
            },
            {
                "name": self.page_size_query_param,
                "in": "query",
                "required": False,
                "description": f"Rows per page, at most {self.max_page_size}.",
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size, "default": self.page_size},
            },
        ]

    # --- Reading the request ------------------------------------------------------------------

    def _ordering_from(self, request: Request) -> str:
        ordering = request.query_params.get(self.ordering_query_param) or self.orderings[0]
        if ordering not in self.orderings:
            raise ValidationError({self.ordering_query_param: [f"Must be one of {', '.join(self.orderings)}."]})
        return ordering

    def _page_size_from(self, request: Request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not re.fullmatch(r"[0-9]{1,9}", raw) or not 1 <= int(raw) <= self.max_page_size:
            raise ValidationError(
                {self.page_size_query_param: [f"Must be a whole number from 1 to {self.max_page_size}."]}
            )
        return int(raw)

    def _cursor_from(self, request: Request) -> dict | None:
        raw = request.query_params.get(self.cursor_query_param)
        if not raw:
            return None
        invalid = ValidationError(
            {self.cursor_query_param: ["Invalid cursor: use the next or previous link as given."]}
        )
        try:
            cursor = json.loads(base64.urlsafe_b64decode(raw.encode("ascii")))
        except (ValueError, UnicodeError, binascii.Error):
            raise invalid from None
        if (
            not isinstance(cursor, dict)
            or cursor.get("ordering") != self.ordering
            or type(cursor.get("id")) is not int
            or not 0 < cursor["id"] < 2**63
            or not isinstance(cursor.get("backwards"), bool)
        ):
            raise invalid
        value = cursor.get("value")
        if self.ordering.lstrip("-") != "id" and value is not None:
            try:
                cursor["value"] = datetime.fromisoformat(value).astimezone(UTC)
            except (TypeError, ValueError, OverflowError):
                raise invalid from None
        return cursor

    # --- Writing links ------------------------------------------------------------------------

    def _encode(self, row: Model, field: str, backwards: bool) -> str:
        value = getattr(row, field)
        cursor = {
            "ordering": self.ordering,
            "value": value.isoformat() if isinstance(value, datetime) else None,
            "id": row.pk,
            "backwards": backwards,
        }
        return base64.urlsafe_b64encode(json.dumps(cursor, separators=(",", ":")).encode()).decode("ascii")

    def _link(self, cursor: str | None) -> str | None:
        if cursor is None:
            return None
        url = self.request.build_absolute_uri()
        return replace_query_param(url, self.cursor_query_param, cursor)


def _parts(field: str, up: bool, cursor: dict | None, nullable: bool) -> list[tuple[Q, list]]:
    """The rows after the cursor as (condition, ORDER BY) pairs, to be read one after the other.

    `up` reads values from small to large, then the NULLs; otherwise NULLs first, then values
    from large to small. Ties are read by id in the same direction.
    """
    past = "gt" if up else "lt"
    by_id = F("id").asc() if up else F("id").desc()
    if field == "id":
        return [(Q(**{f"id__{past}": cursor["id"]}) if cursor else Q(), [by_id])]
    by_value = [F(field).asc() if up else F(field).desc(), by_id]
    values = Q(**{f"{field}__isnull": False}) if nullable else Q()
    nulls = Q(**{f"{field}__isnull": True})

    if cursor is None:
        after_values, after_nulls = values, nulls
    elif cursor["value"] is None:
        after_values = None if up else values
        after_nulls = nulls & Q(**{f"id__{past}": cursor["id"]})
    else:
        value, pk = cursor["value"], cursor["id"]
        # The redundant bound (value >= v) lets the index start at v instead of filtering from its end.
        after_values = Q(**{f"{field}__{past}e": value}) & (Q(**{f"{field}__{past}": value}) | Q(**{f"id__{past}": pk}))
        after_nulls = nulls if up else None

    parts = [(after_values, by_value), (after_nulls if nullable else None, [by_id])]
    return [(condition, order) for condition, order in (parts if up else parts[::-1]) if condition is not None]
