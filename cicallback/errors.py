"""The answers Django makes itself, to a bad Host header or an unexpected exception.

A callback sender reads the answer's body as the reason, so under /callback/ it is one plain line;
everywhere else it is Django's own page.
"""

from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse
from django.views import defaults


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if not _for_a_sender(request):
        return defaults.bad_request(request, exception)
    if isinstance(exception, DisallowedHost):
        return _plain(400, "the Host header names a host this service does not serve")
    return _plain(400, "the request is malformed")


def server_error(request: HttpRequest) -> HttpResponse:
    if not _for_a_sender(request):
        return defaults.server_error(request)
    return _plain(500, "the callback could not be handled; send it again later")


def _for_a_sender(request: HttpRequest) -> bool:
    return request.path_info.startswith("/callback/")


def _plain(status: int, message: str) -> HttpResponse:
    return HttpResponse(message + "\n", status=status, content_type="text/plain; charset=utf-8")
