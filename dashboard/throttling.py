"""The API's rate per user, counted in the database so that all app servers share one count."""

from __future__ import annotations

import time

from django.db import connection
from rest_framework.throttling import UserRateThrottle

from dashboard.models import ApiUsage

# One statement a request: a new window restarts the count, the same window adds one to it.
_TABLE = ApiUsage._meta.db_table
_COUNT_REQUEST = f"""
INSERT INTO {_TABLE} ("key", "window_start", "requests") VALUES (%s, %s, 1)
ON CONFLICT ("key") DO UPDATE SET
    "requests" = CASE WHEN {_TABLE}."window_start" = excluded."window_start" THEN {_TABLE}."requests" + 1 ELSE 1 END,
    "window_start" = excluded."window_start"
RETURNING "requests"
"""


class SharedUserRateThrottle(UserRateThrottle):
    """DRF's per-user rate in fixed windows (an hour for "2000/hour") kept in the database.

    DRF's own throttle keeps a history of request times in the cache, which is each process's own
    memory unless a shared cache is set up: with four workers a user would get four times the rate.
    """

    def allow_request(self, request, view) -> bool:
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        now = self.timer()
        window_start = int(now // self.duration) * self.duration
        with connection.cursor() as cursor:
            cursor.execute(_COUNT_REQUEST, [self.key, window_start])
            (requests,) = cursor.fetchone()
        self.retry_after = window_start + self.duration - now
        return requests <= self.num_requests

    def wait(self) -> float:
        return max(self.retry_after, 0)

    timer = staticmethod(time.time)
