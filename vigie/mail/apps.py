from django.apps import AppConfig


class MailConfig(AppConfig):
    name = "vigie.mail"
    label = "mail"
    verbose_name = "Courriels"
