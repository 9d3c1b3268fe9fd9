from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "vigie.web"
    label = "web"
    verbose_name = "Portail et back-office"
