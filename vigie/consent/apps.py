from django.apps import AppConfig


class ConsentConfig(AppConfig):
    name = "vigie.consent"
    label = "consent"
    verbose_name = "Consentements et désabonnements"
