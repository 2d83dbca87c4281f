"""`/healthz`: whether this app server can answer, for a load balancer or an orchestrator.

No sign-in, and nothing about the organisation in the answer: 200 "ok" when the database
answers a trivial query, 503 "unavailable" when it does not (the balancer then stops sending
people to this server). Never cached.
"""

import logging

from django.db import DatabaseError, connection
from django.http import HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

log = logging.getLogger(__name__)


@never_cache
@require_safe
def healthz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        log.warning("Health check: the database did not answer", exc_info=True)
        return HttpResponse("unavailable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")
