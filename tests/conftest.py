from pathlib import Path

import pytest
from django.test import Client

SAMPLES = Path(__file__).parent / "samples"
TOKEN = "test-token-one"
OTHER_TOKEN = "test-token-two"


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


@pytest.fixture(autouse=True)
def callback_settings(settings):
    settings.CICALLBACK_TOKENS = [TOKEN, OTHER_TOKEN]
    settings.CICALLBACK_MAX_BODY_BYTES = 64 * 1024
    settings.CICALLBACK_TRUSTED_PROXIES = []
    settings.ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


class Sender:
    """Plays CI: posts bodies to the callback URL with the test client."""

    def __init__(self, client: Client) -> None:
        self.client = client

    def post(self, body: bytes, content_type: str = "application/xml", token: str = TOKEN, **extra):
        return self.client.generic("POST", f"/callback/{token}/", body, content_type=content_type, **extra)

    def post_sample(self, name: str, **extra):
        content_type = "application/json" if name.endswith(".json") else "application/xml"
        return self.post(sample(name), content_type=content_type, **extra)


@pytest.fixture
def sender(client: Client) -> Sender:
    return Sender(client)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    # A test that measures something records it as a "figures" property, shown here without -s.
    lines = []
    for report in terminalreporter.getreports("passed") + terminalreporter.getreports("failed"):
        if report.when == "call":
            lines += [value for name, value in report.user_properties if name == "figures"]
    if lines:
        terminalreporter.section("figures")
        for line in lines:
            terminalreporter.write_line(line)
