from datetime import timedelta

from django import template

register = template.Library()

STATE_CLASSES = {
    "Success": "ok",
    "Failed": "bad",
    "Running": "busy",
    "Submitted": "busy",
    "Pause": "idle",
    "Cancel": "idle",
}


@register.filter
def state_class(state: str) -> str:
    return STATE_CLASSES.get(state, "idle")


@register.filter
def filesize(size: int | None) -> str:
    """Sizes in binary units, the way COS consoles show them."""
    if size is None:
        return ""
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{int(value)} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return ""


@register.filter
def duration(value: timedelta | None) -> str:
    if value is None:
        return ""
    seconds = value.total_seconds()
    if seconds < 0:
        return f"-{duration(-value)}"
    if seconds < 60:
        return f"{seconds:.0f} s" if seconds == int(seconds) else f"{seconds:.1f} s"
    minutes, seconds = divmod(int(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {seconds} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min"


@register.filter
def percent(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value * 100:.1f}%"
