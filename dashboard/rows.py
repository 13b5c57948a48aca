"""Rows of the job lists, rendered with Jinja2.

The rows are the hot path of the dashboard: fifty rows of ten cells took about 20 ms of a 40 ms
page in Django's template language, which interprets every variable and filter node each time.
Jinja2 compiles the template to Python once and renders the same rows in a tenth of that. The rest
of the pages stay in Django's template language; they include these rows as rendered HTML.
"""

from __future__ import annotations

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from jinja2 import Environment
from markupsafe import Markup, escape

from dashboard.templatetags.dashboard import duration, filesize, state_class


def environment(**options) -> Environment:
    env = Environment(**options)
    env.filters.update(state_class=state_class, filesize=filesize, duration=duration, breakable=breakable)
    return env


def breakable(key: str) -> Markup:
    """An object key that a narrow column may break after each "/", rather than inside a name."""
    return Markup(str(escape(key)).replace("/", "/<wbr>"))


def job_rows(jobs) -> SafeString:
    """HTML table rows for jobs prepared by dashboard.views.with_results()."""
    context = {"rows": jobs, "list_url": reverse("dashboard:job_list"), "detail_url": _detail_url}
    return mark_safe(render_to_string("dashboard/job_rows.html", context, using="jinja2"))


def _detail_url(job_id: str) -> str:
    return reverse("dashboard:job_detail", args=[job_id])
