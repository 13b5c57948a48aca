"""Jobs as CSV lines, produced one at a time so an export of a million jobs runs in constant memory."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from django.db import connection, transaction
from django.db.models import DurationField, ExpressionWrapper, F, Func, QuerySet, TextField, Value
from django.db.models.functions import Coalesce, NullIf

COLUMNS = [
    "job_id",
    "state",
    "tag",
    "code",
    "message",
    "input_bucket",
    "input_region",
    "input_object",
    "output_object",
    "creation_time",
    "start_time",
    "end_time",
    "duration_seconds",
    "queue_wait_seconds",
    "queue_id",
    "template_id",
    "user_data",
    "workflow_id",
    "run_id",
    "original_width",
    "original_height",
    "processed_width",
    "processed_height",
    "processed_size",
]
# A cell starting with one of these is a formula to a spreadsheet; CI messages are not to be run.
FORMULA_STARTS = frozenset("=+-@\t\r")


TEXT_COLUMNS = {
    "job_id", "state", "tag", "code", "message", "input_bucket", "input_region", "input_object", "output_object",
    "queue_id", "template_id", "user_data", "workflow_id", "run_id",
}  # fmt: skip
TIMES = ("creation_time", "start_time", "end_time")
SPANS = {
    "duration_seconds": ExpressionWrapper(F("end_time") - F("start_time"), output_field=DurationField()),
    "queue_wait_seconds": ExpressionWrapper(F("start_time") - F("creation_time"), output_field=DurationField()),
}
RELATED = {
    "workflow_id": "workflow__workflow_id",
    "run_id": "workflow__run_id",
    "original_width": "pic_process_result__original_width",
    "original_height": "pic_process_result__original_height",
    "processed_width": "pic_process_result__processed_width",
    "processed_height": "pic_process_result__processed_height",
    "processed_size": "pic_process_result__processed_size",
}
# Lines are sent in batches: one chunk per row would cost more to send than to write.
BATCH = 500


def csv_lines(jobs: QuerySet) -> Iterator[str]:
    """The header, then the jobs' rows, a batch of lines at a time.

    Rows are read as tuples of just these columns (no model instances, no Operation JSON) and
    fixed up in place, so a row costs a few microseconds of Python: a million jobs export at
    tens of thousands a second.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    yield _take(buffer)
    postgres = connection.vendor == "postgresql"
    texts = [i for i, column in enumerate(COLUMNS) if column in TEXT_COLUMNS]
    spans = [i for i, column in enumerate(COLUMNS) if column in SPANS]
    times = [i for i, column in enumerate(COLUMNS) if column in TIMES]
    batch = []
    # In a transaction, PostgreSQL's server-side cursor hands rows over as the query finds them;
    # outside one it is declared WITH HOLD and the server first copies the whole result aside.
    with transaction.atomic(using=jobs.db, savepoint=False):
        selection = [CsvLine(*_selection(postgres))] if postgres else _selection(postgres)
        for values in jobs.values_list(*selection).iterator(chunk_size=2000):
            if postgres:
                # PostgreSQL wrote the whole line already.
                batch.append(values[0])
                if len(batch) == BATCH:
                    batch.append("")
                    yield "\r\n".join(batch)
                    batch.clear()
                continue
            row = list(values)
            for i in texts:
                text = row[i]
                if text and text[0] in FORMULA_STARTS:
                    row[i] = "'" + text
            for i in spans:
                if row[i] is not None:
                    row[i] = row[i].total_seconds()
            for i in times:
                if row[i] is not None:
                    row[i] = row[i].isoformat()
            batch.append(row)  # None is written as an empty cell
            if len(batch) == BATCH:
                writer.writerows(batch)
                batch.clear()
                yield _take(buffer)
    if postgres and batch:
        batch.append("")
        yield "\r\n".join(batch)
    else:
        writer.writerows(batch)
        yield _take(buffer)


class OneArgument(Func):
    """A template that names its one argument several times, with the argument's parameters repeated to match."""

    def as_sql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        return self.template % {"expressions": sql}, tuple(params) * self.template.count("%(expressions)s")


class IsoTime(OneArgument):
    """A time as Python's isoformat() writes it in UTC, written by PostgreSQL.

    Turning a million timestamps into datetime objects only to write them out again would cost
    more than the rest of the export.
    """

    output_field = TextField()
    template = (
        "(to_char(%(expressions)s AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS') || CASE WHEN "
        "date_trunc('second', %(expressions)s) = %(expressions)s THEN '' ELSE "
        "to_char(%(expressions)s AT TIME ZONE 'UTC', '.US') END || '+00:00')"
    )


class SafeText(OneArgument):
    """The text, with a quote in front if a spreadsheet would run it as a formula (FORMULA_STARTS)."""

    output_field = TextField()
    template = (
        "(CASE WHEN left(%(expressions)s, 1) IN ('=', '+', '-', '@', chr(9), chr(13)) "
        "THEN chr(39) || %(expressions)s ELSE %(expressions)s END)"
    )


class Seconds(OneArgument):
    """A time span in seconds as Python writes timedelta.total_seconds(): 3.0, 0.25."""

    output_field = TextField()
    template = (
        "(CASE WHEN EXTRACT(EPOCH FROM %(expressions)s) = trunc(EXTRACT(EPOCH FROM %(expressions)s)) "
        "THEN trunc(EXTRACT(EPOCH FROM %(expressions)s))::bigint::text || '.0' "
        "ELSE rtrim(EXTRACT(EPOCH FROM %(expressions)s)::text, '0') END)"
    )


class CsvLine(Func):
    """The cells as one CSV line, quoted as Python's csv module quotes them (without the CRLF).

    Reading one text per row and sending it on costs a fraction of reading 24 values and
    having csv.writer quote each one.
    """

    output_field = TextField()
    arg_joiner = " || ',' || "
    template = "(%(expressions)s)"

    def __init__(self, *cells) -> None:
        super().__init__(*(cell if isinstance(cell, QuotedCell) else Func(cell, template=NUMBER) for cell in cells))


# Numbers and times never hold a comma, quote or line break: only text may need quotes.
NUMBER = "COALESCE((%(expressions)s)::text, '')"


class QuotedCell(OneArgument):
    output_field = TextField()
    template = (
        "(CASE WHEN %(expressions)s ~ '[\",\r\n]' THEN '\"' || replace(%(expressions)s, '\"', '\"\"') || '\"' "
        "ELSE COALESCE(%(expressions)s, '') END)"
    )


def _selection(postgres: bool) -> list:
    """The values_list() arguments giving COLUMNS in order."""
    selection = []
    for column in COLUMNS:
        if column == "output_object":
            # The image result's object name wins over Output/Object, which may keep ${ext} variables.
            cell = Coalesce(NullIf("pic_process_result__object_name", Value("")), "output_object")
        elif column in TIMES and postgres:
            cell = IsoTime(column)
        elif column in SPANS:
            cell = Seconds(SPANS[column]) if postgres else SPANS[column]
        else:
            cell = RELATED.get(column, column)
        if column in TEXT_COLUMNS and postgres:
            cell = QuotedCell(SafeText(cell))
        selection.append(cell)
    return selection


def _take(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text
