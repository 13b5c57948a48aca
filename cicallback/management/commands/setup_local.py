"""Prepare a local install: a login to use, and the callback URL with a command that tries it."""

import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

LOGIN_FILE = Path(settings.BASE_DIR) / "var" / "local-login"
SAMPLE = "tests/samples/seed2-workflow.xml"


class Command(BaseCommand):
    help = "Create a local admin login if there is none, and print it with the callback URL."

    def add_arguments(self, parser):
        parser.add_argument("--base-url", default="http://127.0.0.1:8000")

    def handle(self, *args, base_url: str, **options):
        if not settings.DEBUG:
            raise CommandError("setup_local is for local use only; it refuses to run with DJANGO_DEBUG off.")
        username, password = self.local_login()
        callback_url = f"{base_url}/callback/{settings.CICALLBACK_TOKENS[0]}/"
        self.stdout.write(
            "\n".join(
                [
                    "",
                    f"  Dashboard     {base_url}/",
                    f"  Login         {username} / {password}",
                    f"  Callback URL  {callback_url}",
                    "",
                    "  Send it a sample callback:",
                    f"    curl -i -H 'Content-Type: application/xml' --data-binary @{SAMPLE} {callback_url}",
                    "",
                ]
            )
        )

    def local_login(self) -> tuple[str, str]:
        User = get_user_model()
        if LOGIN_FILE.exists():
            username, password = LOGIN_FILE.read_text().split("\n")[:2]
            user = User.objects.filter(username=username).first()
            if user is not None and user.check_password(password):
                return username, password
        # A login is made only when there is none: an existing superuser's password is never reset.
        if User.objects.filter(is_superuser=True).exists():
            return "(your existing superuser)", "(unchanged; python manage.py changepassword <user> sets a new one)"
        password = secrets.token_urlsafe(12)
        User.objects.create_superuser(username="admin", password=password)
        LOGIN_FILE.parent.mkdir(exist_ok=True)
        LOGIN_FILE.write_text(f"admin\n{password}\n")
        LOGIN_FILE.chmod(0o600)
        return "admin", password
