"""Play CI: POST callback bodies to a URL over real HTTP, to check a deployment end to end."""

import urllib.error
import urllib.request
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cicallback.management.arguments import positive_int


class Command(BaseCommand):
    help = "POST callback body files to a callback URL and print each answer."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("url", help="the callback URL, token included")
        parser.add_argument("files", nargs="+", type=Path, help="callback bodies (XML or JSON)")
        parser.add_argument("--repeat", type=positive_int, default=1, help="send each file this many times")
        parser.add_argument("--timeout", type=float, default=10.0)

    def handle(self, *args, url: str, files: list[Path], repeat: int, timeout: float, **options) -> None:
        if not url.startswith(("http://", "https://")):
            raise CommandError(f"not an http(s) URL: {url}")
        missing = [str(path) for path in files if not path.is_file()]
        if missing:
            # Checked before the first post, so a typo does not leave a deployment half-tested.
            raise CommandError(f"no such file: {', '.join(missing)}")
        failures = 0
        for path in files:
            body = path.read_bytes()
            content_type = "application/json" if body.lstrip()[:1] in (b"{", b"[") else "application/xml"
            for _ in range(repeat):
                status, answer = _post(url, body, content_type, timeout)
                failures += not 200 <= status < 300
                self.stdout.write(f"{status} {path.name}: {answer.strip()}")
        if failures:
            raise CommandError(f"{failures} of {len(files) * repeat} posts were not answered 2xx")


def _post(url: str, body: bytes, content_type: str, timeout: float) -> tuple[int, str]:
    request = urllib.request.Request(url, data=body, method="POST", headers={"Content-Type": content_type})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read().decode(errors="replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace")
    except OSError as error:
        return 0, f"no answer: {error}"
