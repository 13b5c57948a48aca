import logging
import re

_CALLBACK_PATH = re.compile(r"/callback/[^/\s\"']+")


class RedactCallbackTokens(logging.Filter):
    """Django logs request paths (404s, 400s, the dev server); a callback path holds its token."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "/callback/" in message:
            record.msg = _CALLBACK_PATH.sub("/callback/<token>", message)
            record.args = None
        return True
