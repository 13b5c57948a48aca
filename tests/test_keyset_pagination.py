from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from cicallback.models import Job
from dashboard.keyset import SORT_KEYS, Ordering, paginate
from tests.jobs import store, xml_job

pytestmark = pytest.mark.django_db


@pytest.fixture
def jobs():
    """Jobs with ties in every column and jobs still running (no EndTime: NULL duration and end)."""
    now = timezone.now()
    for i in range(17):
        name = "transcode-workflow.xml" if i % 3 else "seed1-job-api.xml"
        store(xml_job(f"job{i:02d}", sample_name=name, created=now - timedelta(minutes=i % 5), took=i % 4))
    for i in range(4):
        name = "transcode-workflow.xml"
        store(xml_job(f"run{i}", sample_name=name, created=now - timedelta(minutes=i), State="Running", EndTime="-"))


def walk(ordering: Ordering, size: int) -> tuple[list[list[str]], list[str | None]]:
    pages, cursors, cursor = [], [], None
    while True:
        page = paginate(Job.objects.all(), ordering, cursor, size)
        pages.append([job.job_id for job in page.rows])
        cursors.append(page.previous_cursor)
        if page.next_cursor is None:
            return pages, cursors
        cursor = page.next_cursor


@pytest.mark.parametrize("text", [f"{sign}{key}" for key in SORT_KEYS for sign in ("", "-")])
def test_walking_the_pages_shows_every_job_once_in_order(jobs, text):
    ordering = Ordering.parse(text)
    pages, _ = walk(ordering, size=4)
    seen = [job_id for page in pages for job_id in page]
    assert sorted(seen) == sorted(Job.objects.values_list("job_id", flat=True))
    assert len(seen) == len(set(seen)) == 21
    assert all(len(page) == 4 for page in pages[:-1])


@pytest.mark.parametrize("text", ["-received", "duration", "-duration", "ended", "-ended", "tag"])
def test_previous_pages_are_the_pages_walked_before(jobs, text):
    ordering = Ordering.parse(text)
    pages, previous_cursors = walk(ordering, size=4)
    for index in range(1, len(pages)):
        back = paginate(Job.objects.all(), ordering, previous_cursors[index], 4)
        assert [job.job_id for job in back.rows] == pages[index - 1]
    assert previous_cursors[0] is None


def test_nulls_sort_where_the_database_puts_them(jobs):
    """Last when ascending on PostgreSQL, first on SQLite: the order an index on the column has."""
    assert Job.objects.filter(end_time__isnull=True).count() == 4
    (ascending,), _ = walk(Ordering.parse("ended"), size=50)
    (descending,), _ = walk(Ordering.parse("-ended"), size=50)
    nulls_at_end = ascending[-4:] if connection.features.nulls_order_largest else ascending[:4]
    assert all(job_id.startswith("run") for job_id in nulls_at_end)
    assert descending == list(reversed(ascending))


def test_an_unreadable_cursor_starts_from_the_first_page(jobs):
    first = paginate(Job.objects.all(), Ordering.parse(None), None, 4)
    broken = paginate(Job.objects.all(), Ordering.parse(None), "not-a-cursor!", 4)
    assert [j.pk for j in broken.rows] == [j.pk for j in first.rows]
