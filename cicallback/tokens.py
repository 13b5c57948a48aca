"""Callback authentication: CI signs nothing, so the secret is the token in the callback URL."""

import hmac

from django.conf import settings


def is_known_token(token: str) -> bool:
    # Compare with every configured token, without stopping at the first match, so the time taken
    # tells nothing about which token, or how much of one, was right. Several tokens allow rotation.
    given = token.encode("utf-8", errors="replace")
    known = False
    for candidate in settings.CICALLBACK_TOKENS:
        known |= hmac.compare_digest(given, candidate.encode())
    return known
