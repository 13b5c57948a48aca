"""gunicorn settings, from the environment: `gunicorn -c gunicorn.conf.py cicallback.wsgi`."""

import multiprocessing
import os


def _number(name: str, default: int) -> int:
    # An empty variable means the default, as in the Django settings.
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise SystemExit(f"{name} must be a whole number of 1 or more, not {raw!r}")
    return int(raw)


bind = os.environ.get("GUNICORN_BIND", "").strip() or "0.0.0.0:8000"
workers = _number("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1)
threads = _number("GUNICORN_THREADS", 1)
timeout = _number("GUNICORN_TIMEOUT", 30)
# Requests are logged by the service itself, one line per delivery without the token in the path;
# gunicorn's access log would write callback tokens to disk.
accesslog = None
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")


def child_exit(server, worker):
    # With PROMETHEUS_MULTIPROC_DIR set, a dead worker's live gauges must not linger.
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)


def on_starting(server):
    # gunicorn's own error lines ("Error handling request /callback/...") name the request's path,
    # which holds the callback token. Workers are forked from here and inherit the filter.
    import logging

    from cicallback.logs import RedactCallbackTokens

    logging.getLogger("gunicorn.error").addFilter(RedactCallbackTokens())
