"""Triggers that keep JobCount and JobDurationCount equal to what the job table holds.

In the database rather than in the write path, so that every change counts whoever makes it
(callbacks, the admin, purges, a DBA with psql), and a callback still takes one round trip.
The migration counts the jobs already stored.
"""

from django.db import migrations

COUNTED = "creation_time, state, tag, code, start_time, end_time"

# PostgreSQL: one statement per changed statement, from its transition tables, rows counted -1
# for what it removed and +1 for what it wrote. Keys are written in order, so two statements
# counting the same hours wait for each other instead of deadlocking.
_POSTGRESQL_COUNT = """
WITH changes AS ({changes}),
counted AS (
    INSERT INTO cicallback_jobcount AS t (hour, state, tag, code, jobs, last_end_time)
    SELECT date_bin('1 hour', creation_time, TIMESTAMPTZ '2000-01-01 00:00:00+00'), state, tag, code,
           sum(sign), max(end_time) FILTER (WHERE sign > 0)
    FROM changes WHERE creation_time IS NOT NULL
    GROUP BY 1, 2, 3, 4
    HAVING sum(sign) <> 0
        OR max(end_time) FILTER (WHERE sign > 0) IS DISTINCT FROM max(end_time) FILTER (WHERE sign < 0)
    ORDER BY 1, 2, 3, 4
    ON CONFLICT (hour, state, tag, code) DO UPDATE
    SET jobs = t.jobs + excluded.jobs, last_end_time = greatest(t.last_end_time, excluded.last_end_time)
)
INSERT INTO cicallback_jobdurationcount AS t (hour, state, tag, code, microseconds, jobs)
SELECT date_bin('1 hour', creation_time, TIMESTAMPTZ '2000-01-01 00:00:00+00'), state, tag, code,
       ((extract(epoch FROM end_time) - extract(epoch FROM start_time)) * 1000000)::bigint, sum(sign)
FROM changes WHERE creation_time IS NOT NULL AND start_time IS NOT NULL AND end_time IS NOT NULL
GROUP BY 1, 2, 3, 4, 5
HAVING sum(sign) <> 0
ORDER BY 1, 2, 3, 4, 5
ON CONFLICT (hour, state, tag, code, microseconds) DO UPDATE SET jobs = t.jobs + excluded.jobs
"""
_INSERTED = f"SELECT {COUNTED}, 1 AS sign FROM new_jobs"
_DELETED = f"SELECT {COUNTED}, -1 AS sign FROM old_jobs"


def _postgresql_function(name: str, changes: str) -> str:
    body = _POSTGRESQL_COUNT.format(changes=changes)
    return f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {body}; RETURN NULL; END $$"


POSTGRESQL = [
    _postgresql_function("cicallback_count_inserted_jobs", _INSERTED),
    _postgresql_function("cicallback_count_updated_jobs", f"{_DELETED} UNION ALL {_INSERTED}"),
    _postgresql_function("cicallback_count_deleted_jobs", _DELETED),
    """CREATE FUNCTION cicallback_count_no_jobs() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
        DELETE FROM cicallback_jobcount; DELETE FROM cicallback_jobdurationcount; RETURN NULL; END $$""",
    """CREATE TRIGGER cicallback_job_counted_insert AFTER INSERT ON cicallback_job
        REFERENCING NEW TABLE AS new_jobs FOR EACH STATEMENT EXECUTE FUNCTION cicallback_count_inserted_jobs()""",
    """CREATE TRIGGER cicallback_job_counted_update AFTER UPDATE ON cicallback_job
        REFERENCING OLD TABLE AS old_jobs NEW TABLE AS new_jobs
        FOR EACH STATEMENT EXECUTE FUNCTION cicallback_count_updated_jobs()""",
    """CREATE TRIGGER cicallback_job_counted_delete AFTER DELETE ON cicallback_job
        REFERENCING OLD TABLE AS old_jobs FOR EACH STATEMENT EXECUTE FUNCTION cicallback_count_deleted_jobs()""",
    """CREATE TRIGGER cicallback_job_counted_truncate AFTER TRUNCATE ON cicallback_job
        FOR EACH STATEMENT EXECUTE FUNCTION cicallback_count_no_jobs()""",
]
# Counting the jobs already there (also for loaders that write with triggers off).
RECOUNT_POSTGRESQL = [
    "DELETE FROM cicallback_jobcount",
    "DELETE FROM cicallback_jobdurationcount",
    _POSTGRESQL_COUNT.format(changes=f"SELECT {COUNTED}, 1 AS sign FROM cicallback_job"),
]
POSTGRESQL_REVERSE = [
    "DROP TRIGGER cicallback_job_counted_insert ON cicallback_job",
    "DROP TRIGGER cicallback_job_counted_update ON cicallback_job",
    "DROP TRIGGER cicallback_job_counted_delete ON cicallback_job",
    "DROP TRIGGER cicallback_job_counted_truncate ON cicallback_job",
    "DROP FUNCTION cicallback_count_inserted_jobs()",
    "DROP FUNCTION cicallback_count_updated_jobs()",
    "DROP FUNCTION cicallback_count_deleted_jobs()",
    "DROP FUNCTION cicallback_count_no_jobs()",
    "DELETE FROM cicallback_jobcount",
    "DELETE FROM cicallback_jobdurationcount",
]


# SQLite: row triggers. Times are stored as 'YYYY-MM-DD HH:MM:SS[.ffffff]' in UTC.
def _hour(row: str) -> str:
    return f"strftime('%Y-%m-%d %H:00:00', {row}.creation_time)"


def _microseconds(row: str) -> str:
    def fraction(column: str) -> str:
        return f"CAST(substr({row}.{column} || '.000000', 21, 6) AS INTEGER)"

    seconds = f"(strftime('%s', {row}.end_time) - strftime('%s', {row}.start_time))"
    return f"({seconds} * 1000000 + {fraction('end_time')} - {fraction('start_time')})"


def _sqlite_add(row: str) -> str:
    return f"""
    INSERT INTO cicallback_jobcount (hour, state, tag, code, jobs, last_end_time)
    SELECT {_hour(row)}, {row}.state, {row}.tag, {row}.code, 1, {row}.end_time WHERE {row}.creation_time IS NOT NULL
    ON CONFLICT (hour, state, tag, code) DO UPDATE SET jobs = jobs + 1, last_end_time = CASE
        WHEN last_end_time IS NULL OR excluded.last_end_time > last_end_time THEN excluded.last_end_time
        ELSE last_end_time END;
    INSERT INTO cicallback_jobdurationcount (hour, state, tag, code, microseconds, jobs)
    SELECT {_hour(row)}, {row}.state, {row}.tag, {row}.code, {_microseconds(row)}, 1
    WHERE {row}.creation_time IS NOT NULL AND {row}.start_time IS NOT NULL AND {row}.end_time IS NOT NULL
    ON CONFLICT (hour, state, tag, code, microseconds) DO UPDATE SET jobs = jobs + 1;
    """


def _sqlite_remove(row: str) -> str:
    key = f"hour = {_hour(row)} AND state = {row}.state AND tag = {row}.tag AND code = {row}.code"
    return f"""
    UPDATE cicallback_jobcount SET jobs = jobs - 1 WHERE {key};
    UPDATE cicallback_jobdurationcount SET jobs = jobs - 1 WHERE {key} AND microseconds = {_microseconds(row)};
    """


_SQLITE_CHANGED = " OR ".join(f"OLD.{column} IS NOT NEW.{column}" for column in COUNTED.split(", "))

SQLITE = [
    f"CREATE TRIGGER cicallback_job_counted_insert AFTER INSERT ON cicallback_job BEGIN {_sqlite_add('NEW')} END",
    f"""CREATE TRIGGER cicallback_job_counted_update AFTER UPDATE ON cicallback_job WHEN {_SQLITE_CHANGED}
        BEGIN {_sqlite_remove("OLD")} {_sqlite_add("NEW")} END""",
    f"CREATE TRIGGER cicallback_job_counted_delete AFTER DELETE ON cicallback_job BEGIN {_sqlite_remove('OLD')} END",
]
RECOUNT_SQLITE = [
    "DELETE FROM cicallback_jobcount",
    "DELETE FROM cicallback_jobdurationcount",
    f"""INSERT INTO cicallback_jobcount (hour, state, tag, code, jobs, last_end_time)
        SELECT {_hour("j")}, state, tag, code, count(*), max(end_time) FROM cicallback_job j
        WHERE creation_time IS NOT NULL GROUP BY 1, 2, 3, 4""",
    f"""INSERT INTO cicallback_jobdurationcount (hour, state, tag, code, microseconds, jobs)
        SELECT {_hour("j")}, state, tag, code, {_microseconds("j")}, count(*) FROM cicallback_job j
        WHERE creation_time IS NOT NULL AND start_time IS NOT NULL AND end_time IS NOT NULL GROUP BY 1, 2, 3, 4, 5""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER cicallback_job_counted_insert",
    "DROP TRIGGER cicallback_job_counted_update",
    "DROP TRIGGER cicallback_job_counted_delete",
    "DELETE FROM cicallback_jobcount",
    "DELETE FROM cicallback_jobdurationcount",
]


def _run(statements: dict[str, list[str]]):
    def run(apps, schema_editor):
        for statement in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("cicallback", "0003_job_counts")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRESQL + RECOUNT_POSTGRESQL, "sqlite": SQLITE + RECOUNT_SQLITE}),
            _run({"postgresql": POSTGRESQL_REVERSE, "sqlite": SQLITE_REVERSE}),
        )
    ]
