"""The documented production environment passes Django's deployment checklist."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": "k3y-" + "x7Q9" * 16,
    "DJANGO_ALLOWED_HOSTS": "ci-jobs.example.com,127.0.0.1",
    "DJANGO_CSRF_TRUSTED_ORIGINS": "https://ci-jobs.example.com",
    "DJANGO_BEHIND_HTTPS_PROXY": "true",
    "CICALLBACK_TOKENS": "a-long-random-token",
    "CICALLBACK_TRUSTED_PROXIES": "127.0.0.1",
    "DATABASE_URL": "postgres://cicallback:secret@db.internal:5432/cicallback",
}


def run(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CICALLBACK_", "DATABASE_"))}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env={**clean, **env}, capture_output=True, text=True
    )


def test_check_deploy_is_clean_in_the_documented_production_environment():
    result = run("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_production_settings_are_secure():
    code = (
        "from django.conf import settings as s; "
        "print(s.DEBUG, s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
        "s.SECURE_HSTS_SECONDS, s.SECURE_PROXY_SSL_HEADER)"
    )
    result = run("shell", "-c", code, **PRODUCTION)
    assert result.stdout.split("\n")[-2] == "False True True True 31536000 ('HTTP_X_FORWARDED_PROTO', 'https')"
