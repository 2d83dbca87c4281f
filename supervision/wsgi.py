import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "supervision.settings")
application = get_wsgi_application()

from core import collector  # noqa: E402 (after the application: it freezes what loading made)

collector.settle()
