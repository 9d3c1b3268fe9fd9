from django.apps import AppConfig


class RegisterConfig(AppConfig):
    name = "vigie.register"
    label = "register"
    verbose_name = "Registre des traitements"
