"""The write path stays lean: the database round trips per callback are counted and pinned."""

import pytest

from tests.conftest import sample

pytestmark = pytest.mark.django_db

# In the test's own transaction, atomic() costs a SAVEPOINT and a RELEASE instead of BEGIN/COMMIT.
TRANSACTION = 2


def test_a_new_job_with_everything_costs_six_statements(sender, django_assert_num_queries):
    # locked read, job, headers (one bulk insert), workflow, image result, delivery
    with django_assert_num_queries(TRANSACTION + 6):
        assert sender.post_sample("seed2-workflow.xml").status_code == 200


def test_a_new_job_without_related_pieces_costs_three(sender, django_assert_num_queries):
    with django_assert_num_queries(TRANSACTION + 3):
        assert sender.post_sample("failed-pic.xml").status_code == 200


def test_a_rejected_body_costs_one_insert(sender, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert sender.post(b"not a callback").status_code == 400


def test_a_stale_delivery_costs_a_read_and_its_delivery(sender, django_assert_num_queries):
    newer = sample("failed-pic.xml").replace(b"10:21:08+0800</EndTime>", b"10:29:00+0800</EndTime>")
    sender.post(newer)
    with django_assert_num_queries(TRANSACTION + 2):
        assert sender.post_sample("failed-pic.xml").content.startswith(b"stale")
