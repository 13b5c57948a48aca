"""The project's settings as production runs them, plus the baselines the read benchmark compares with."""

from cicallback.settings import *  # noqa: F403

ROOT_URLCONF = "bench.read_urls"
DEBUG = False
ALLOWED_HOSTS = ["testserver"]
SECURE_SSL_REDIRECT = False
# The benchmark measures the views, not static file hashing or the API's per-user throttle.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_CLASSES": []}  # noqa: F405
