"""Response headers Django has no setting for, a busy database answered in words, rows read
once per request, and sessions kept alive without a write at every request."""

from django.conf import settings
from django.template.response import TemplateResponse

from . import clock
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


# When a signed-in session's expiry was last moved on (seconds since the epoch), in the session.
SESSION_TOUCHED_KEY = "_touched"


def keep_sessions_alive(get_response):
    """A session in use lives SESSION_IDLE_MINUTES past its last request, to within
    SESSION_TOUCH_SECONDS: its expiry is moved on (the session saved) when the last move is
    that old, not at every request, which would be a database write for every page anyone
    opens. It therefore ends up to a minute early, never late.

    Only a session the request read and that holds something (a signed-in person, a message):
    an anonymous visitor gets none. Placed after SessionMiddleware, so that the session is saved
    on the way out.
    """

    def middleware(request):
        response = get_response(request)
        session = getattr(request, "session", None)
        if session is None or not session.accessed or not session.keys():
            return response
        now = int(clock.now().timestamp())
        touched = session.get(SESSION_TOUCHED_KEY)
        if (
            session.modified
            or not isinstance(touched, int)
            or not 0 <= now - touched < settings.SESSION_TOUCH_SECONDS
        ):
            session[SESSION_TOUCHED_KEY] = now
        return response

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
