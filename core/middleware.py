"""Response headers Django has no setting for, and a busy database answered in words."""

from django.template.response import TemplateResponse

from .db import BUSY, is_busy
from .memo import remembering

# Fourfold uses no camera, microphone, location, payment or other powerful browser feature:
# say so, so that nothing injected into a page can ask for one.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
    )
)


def memo_per_request(get_response):
    """Each request reads the rows `core.memo` remembers (the audit policy) once at most."""

    def middleware(request):
        with remembering():
            return get_response(request)

    return middleware


def permissions_policy(get_response):
    def middleware(request):
        response = get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response

    return middleware


class DatabaseBusyMiddleware:
    """A lock not had in time, anywhere (a long save on SQLite), is a 503 that says so.

    The record services refuse such a step themselves, with the same words; this catches the
    rest, so that a busy database never reads as a server error. The request's transaction
    has been rolled back: nothing was saved.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not is_busy(exception):
            return None
        response = TemplateResponse(request, "503.html", {"message": BUSY}, status=503)
        response["Retry-After"] = "5"
        return response
