"""The write path stays lean: the database round trips per callback are counted and pinned."""

import pytest
from django.db import connection

from tests.conftest import sample

pytestmark = pytest.mark.django_db

# In the test's own transaction, atomic() costs a SAVEPOINT and a RELEASE instead of BEGIN/COMMIT.
TRANSACTION = 2


def first_delivery_statements(related_tables: int) -> int:
    if connection.vendor == "postgresql":
        return 1  # one statement: the job, its related rows and the delivery
    return TRANSACTION + 2 + related_tables  # job, one executemany per related table, delivery


# When the JobId is taken, the first-delivery insert wrote nothing and the merge runs.
MISSED_INSERT = 1 if connection.vendor == "postgresql" else TRANSACTION + 1


def test_a_new_job_with_everything_is_stored_in_the_fewest_statements(sender, django_assert_num_queries):
    with django_assert_num_queries(first_delivery_statements(related_tables=3)):
        assert sender.post_sample("seed2-workflow.xml").status_code == 200


def test_a_new_job_without_related_pieces(sender, django_assert_num_queries):
    with django_assert_num_queries(first_delivery_statements(related_tables=0)):
        assert sender.post_sample("failed-pic.xml").status_code == 200


def test_a_rejected_body_costs_one_insert(sender, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert sender.post(b"not a callback").status_code == 400


def test_a_duplicate_costs_a_locked_read_and_its_delivery(sender, django_assert_num_queries):
    sender.post_sample("seed2-workflow.xml")
    with django_assert_num_queries(MISSED_INSERT + TRANSACTION + 2):
        assert sender.post_sample("seed2-workflow.xml").content.startswith(b"duplicate")


def test_a_stale_delivery_costs_a_locked_read_and_its_delivery(sender, django_assert_num_queries):
    newer = sample("failed-pic.xml").replace(b"10:21:08+0800</EndTime>", b"10:29:00+0800</EndTime>")
    sender.post(newer)
    with django_assert_num_queries(MISSED_INSERT + TRANSACTION + 2):
        assert sender.post_sample("failed-pic.xml").content.startswith(b"stale")
