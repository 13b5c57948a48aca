"""The project's settings plus a ceiling view, so both are served by one server configuration."""

from cicallback.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
