"""Duration counts by day instead of by hour, and the triggers that keep them.

A quarter's duration percentiles summed 416,000 hourly rows at a million jobs; by day they sum
88,000. JobCount stays hourly: its rows are few. The triggers are those of 0004 with the
duration bucket changed; the migration counts the jobs already stored again.
"""

import importlib

from django.db import migrations, models

previous = importlib.import_module("cicallback.migrations.0004_job_count_triggers")

COUNTED = previous.COUNTED

_DURATIONS = "INSERT INTO cicallback_jobdurationcount"

# PostgreSQL: as in 0004, one statement per changed statement, from its transition tables; the
# job counts are 0004's, the duration counts go by day.
_POSTGRESQL_COUNT = (
    previous._POSTGRESQL_COUNT[: previous._POSTGRESQL_COUNT.index(_DURATIONS)]
    + """INSERT INTO cicallback_jobdurationcount AS t (day, state, tag, code, microseconds, jobs)
SELECT date_bin('1 day', creation_time, TIMESTAMPTZ '2000-01-01 00:00:00+00'), state, tag, code,
       ((extract(epoch FROM end_time) - extract(epoch FROM start_time)) * 1000000)::bigint, sum(sign)
FROM changes WHERE creation_time IS NOT NULL AND start_time IS NOT NULL AND end_time IS NOT NULL
GROUP BY 1, 2, 3, 4, 5
HAVING sum(sign) <> 0
ORDER BY 1, 2, 3, 4, 5
ON CONFLICT (day, state, tag, code, microseconds) DO UPDATE SET jobs = t.jobs + excluded.jobs
"""
)
_INSERTED = previous._INSERTED
_DELETED = previous._DELETED


def _postgresql_function(name: str, changes: str) -> str:
    body = _POSTGRESQL_COUNT.format(changes=changes)
    return f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {body}; RETURN NULL; END $$"


_COUNTING_FUNCTIONS = {
    "cicallback_count_inserted_jobs": _INSERTED,
    "cicallback_count_updated_jobs": f"{_DELETED} UNION ALL {_INSERTED}",
    "cicallback_count_deleted_jobs": _DELETED,
}
# The functions that count are made anew; the TRUNCATE function and the triggers are those of 0004.
POSTGRESQL = [_postgresql_function(name, changes) for name, changes in _COUNTING_FUNCTIONS.items()] + [
    statement
    for statement in previous.POSTGRESQL
    if not statement.startswith(tuple(f"CREATE FUNCTION {name}(" for name in _COUNTING_FUNCTIONS))
]
RECOUNT_POSTGRESQL = [
    "DELETE FROM cicallback_jobcount",
    "DELETE FROM cicallback_jobdurationcount",
    _POSTGRESQL_COUNT.format(changes=f"SELECT {COUNTED}, 1 AS sign FROM cicallback_job"),
]


# SQLite: row triggers, as in 0004. Times are stored as 'YYYY-MM-DD HH:MM:SS[.ffffff]' in UTC.
def _day(row: str) -> str:
    return f"strftime('%Y-%m-%d 00:00:00', {row}.creation_time)"


_hour = previous._hour
_microseconds = previous._microseconds


def _sqlite_add(row: str) -> str:
    job_counts = previous._sqlite_add(row)
    return job_counts[: job_counts.index(_DURATIONS)] + f"""INSERT INTO cicallback_jobdurationcount (day, state, tag, code, microseconds, jobs)
    SELECT {_day(row)}, {row}.state, {row}.tag, {row}.code, {_microseconds(row)}, 1
    WHERE {row}.creation_time IS NOT NULL AND {row}.start_time IS NOT NULL AND {row}.end_time IS NOT NULL
    ON CONFLICT (day, state, tag, code, microseconds) DO UPDATE SET jobs = jobs + 1;
    """


def _sqlite_remove(row: str) -> str:
    key = f"state = {row}.state AND tag = {row}.tag AND code = {row}.code"
    return f"""
    UPDATE cicallback_jobcount SET jobs = jobs - 1 WHERE hour = {_hour(row)} AND {key};
    UPDATE cicallback_jobdurationcount SET jobs = jobs - 1
        WHERE day = {_day(row)} AND {key} AND microseconds = {_microseconds(row)};
    """


_SQLITE_CHANGED = " OR ".join(f"OLD.{column} IS NOT NEW.{column}" for column in COUNTED.split(", "))

SQLITE = [
    f"CREATE TRIGGER cicallback_job_counted_insert AFTER INSERT ON cicallback_job BEGIN {_sqlite_add('NEW')} END",
    f"""CREATE TRIGGER cicallback_job_counted_update AFTER UPDATE ON cicallback_job WHEN {_SQLITE_CHANGED}
        BEGIN {_sqlite_remove("OLD")} {_sqlite_add("NEW")} END""",
    f"CREATE TRIGGER cicallback_job_counted_delete AFTER DELETE ON cicallback_job BEGIN {_sqlite_remove('OLD')} END",
]
RECOUNT_SQLITE = [
    *[statement for statement in previous.RECOUNT_SQLITE if _DURATIONS not in statement],
    f"""INSERT INTO cicallback_jobdurationcount (day, state, tag, code, microseconds, jobs)
        SELECT {_day("j")}, state, tag, code, {_microseconds("j")}, count(*) FROM cicallback_job j
        WHERE creation_time IS NOT NULL AND start_time IS NOT NULL AND end_time IS NOT NULL GROUP BY 1, 2, 3, 4, 5""",
]

# Before the schema changes: the triggers of 0004 go (they write the hour column), and come back
# when the migration is reversed.
_DROP_POSTGRESQL = [statement for statement in previous.POSTGRESQL_REVERSE if not statement.startswith("DELETE")]
_DROP_SQLITE = [statement for statement in previous.SQLITE_REVERSE if not statement.startswith("DELETE")]


def _run(statements: dict[str, list[str]]):
    def run(apps, schema_editor):
        for statement in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("cicallback", "0006_job_first_received_at_from_delivery")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": _DROP_POSTGRESQL, "sqlite": _DROP_SQLITE}),
            _run(
                {
                    "postgresql": previous.POSTGRESQL + previous.RECOUNT_POSTGRESQL,
                    "sqlite": previous.SQLITE + previous.RECOUNT_SQLITE,
                }
            ),
        ),
        migrations.RemoveConstraint(model_name="jobdurationcount", name="jobdurationcount_key"),
        migrations.RenameField(model_name="jobdurationcount", old_name="hour", new_name="day"),
        migrations.AddConstraint(
            model_name="jobdurationcount",
            constraint=models.UniqueConstraint(
                fields=["day", "state", "tag", "code", "microseconds"], name="jobdurationcount_key"
            ),
        ),
        migrations.RunPython(
            _run({"postgresql": POSTGRESQL + RECOUNT_POSTGRESQL, "sqlite": SQLITE + RECOUNT_SQLITE}),
            _run({"postgresql": _DROP_POSTGRESQL, "sqlite": _DROP_SQLITE}),
        ),
    ]
