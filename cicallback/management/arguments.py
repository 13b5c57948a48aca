"""Argument types shared by the management commands."""

import argparse
import re
from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.dateparse import parse_datetime

_UNITS = {"h": "hours", "d": "days", "w": "weeks"}


def iso_time(text: str) -> datetime:
    value = parse_datetime(text)
    if value is None:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 time: {text!r}")
    return value if timezone.is_aware(value) else timezone.make_aware(value)


def age(text: str) -> timedelta:
    """An age such as 90d, 12h or 2w."""
    match = re.fullmatch(r"(\d+)([hdw])", text.strip())
    if not match:
        raise argparse.ArgumentTypeError(f"not an age like 90d, 12h or 2w: {text!r}")
    return timedelta(**{_UNITS[match[2]]: int(match[1])})


def positive_int(text: str) -> int:
    if not (text.isascii() and text.isdigit()) or int(text) < 1:
        raise argparse.ArgumentTypeError(f"not a whole number of 1 or more: {text!r}")
    return int(text)
