from django.apps import AppConfig


class VersoConfig(AppConfig):
    """The project package as an app: project-wide management commands (seed_demo), the staff
    roles' data migration and the admin home's tiles."""

    name = "verso"
    verbose_name = "Verso"

    def ready(self):
        from . import tiles

        self.brand_admin()
        tiles.register()

    @staticmethod
    def brand_admin() -> None:
        """The staff dashboard says whose it is (VERSO_SITE_NAME), not "Django administration";
        set at start-up, so every admin page has it whichever URLconf is loaded first."""
        from django.conf import settings
        from django.contrib import admin

        admin.site.site_header = settings.VERSO_SITE_NAME
        admin.site.site_title = settings.VERSO_SITE_NAME
        admin.site.index_title = "Today"
