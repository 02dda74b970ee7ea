import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "harken.settings")
application = get_wsgi_application()

from harken.core.settle import settle  # noqa: E402 - Django is set up by the line above

settle()
