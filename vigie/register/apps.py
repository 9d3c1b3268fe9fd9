from django.apps import AppConfig


class RegisterConfig(AppConfig):
    name = "vigie.register"
    label = "register"
    verbose_name = "Registre des traitements"

    def ready(self) -> None:
        from vigie.register.display import register_audit_display

        register_audit_display()
