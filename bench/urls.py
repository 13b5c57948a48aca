from django.http import HttpRequest, HttpResponse
from django.urls import re_path
from django.views.decorators.csrf import csrf_exempt

from bench.naive import naive_callback
from cicallback.urls import urlpatterns as project_urlpatterns


@csrf_exempt
def ceiling(request: HttpRequest, token: str) -> HttpResponse:
    """The least a Django view can do with a callback: read the body and answer 200."""
    request.body  # noqa: B018
    return HttpResponse("ok\n", content_type="text/plain")


urlpatterns = [
    re_path(r"^ceiling/(?P<token>[^/]+)/$", ceiling),
    re_path(r"^naive/(?P<token>[^/]+)/$", naive_callback),
    *project_urlpatterns,
]
