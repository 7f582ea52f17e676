from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "verso.api"
    label = "api"
    verbose_name = "API keys"

    def ready(self):
        from verso import generations

        from . import schema, signals  # noqa: F401 - registers the OpenAPI scheme and cache invalidation

        generations.track()
