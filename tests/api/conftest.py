import itertools
from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import User
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from cicallback.models import Job, Workflow
from cicallback.receive import Arrival, receive
from tests.conftest import sample

_job_ids = itertools.count(1)


@pytest.fixture
def user(db) -> User:
    return User.objects.create_user("script")


@pytest.fixture
def token(user: User) -> Token:
    return Token.objects.create(user=user)


@pytest.fixture
def api(token: Token) -> APIClient:
    """A client that calls the API as a script does: with a token."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def anonymous() -> APIClient:
    return APIClient()


def receive_sample(name: str, received_at: datetime | None = None):
    content_type = "application/json" if name.endswith(".json") else "application/xml"
    return receive(sample(name), Arrival(content_type=content_type, received_at=received_at))


def make_job(workflow: dict | None = None, **fields) -> Job:
    """A job as the store would keep it, with only the fields a test cares about set."""
    fields.setdefault("job_id", f"j{next(_job_ids):032d}")
    fields.setdefault("state", Job.State.SUCCESS)
    fields.setdefault("tag", "PicProcess")
    job = Job.objects.create(**fields)
    if workflow is not None:
        Workflow.objects.create(job=job, **workflow)
    return job


def job_ids(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["job_id"] for row in response.json()["results"]]


def at(hour: int, minute: int = 0, day: int = 5) -> datetime:
    return datetime(2024, 3, day, hour, minute, tzinfo=UTC)
