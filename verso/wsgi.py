"""WSGI entry point: `gunicorn verso.wsgi`. Cached API list pages are answered in front of
Django's handler (verso.api.fastpath.ApiFastPathWSGI); everything else is plain Django."""
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "verso.settings")
application = get_wsgi_application()

from verso.api.fastpath import ApiFastPathWSGI  # noqa: E402  (after Django is set up)

application = ApiFastPathWSGI(application)
