from django.db import models


class ApiUsage(models.Model):
    """How many API requests a throttle key (a user) made in its current window.

    In the database rather than a process's memory, so every worker and app server counts against
    the same rate.
    """

    key = models.CharField(max_length=150, unique=True)
    window_start = models.BigIntegerField()
    requests = models.PositiveIntegerField()

    def __str__(self) -> str:
        return f"{self.key}: {self.requests} since {self.window_start}"
