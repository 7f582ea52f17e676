"""WSGI entry point: `gunicorn verso.wsgi`."""
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "verso.settings")
application = get_wsgi_application()
