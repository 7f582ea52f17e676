from django.apps import AppConfig


class VersoConfig(AppConfig):
    """The project package as an app: project-wide management commands (seed_demo), the staff
    roles' data migration and the admin home's tiles."""

    name = "verso"
    verbose_name = "Verso"

    def ready(self):
        from . import tiles

        tiles.register()
