from django.apps import AppConfig


class VersoConfig(AppConfig):
    """The project package as an app, for project-wide management commands (seed_demo)."""

    name = "verso"
    verbose_name = "Verso"
