from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MailConfig(AppConfig):
    name = "vigie.mail"
    label = "mail"
    verbose_name = "Courriels"

    def ready(self) -> None:
        from vigie.audit.display import register_object_kind, register_sentences
        from vigie.mail.actions import sentences

        register_sentences(sentences())
        register_object_kind("mail.message", _("E-mail"))
