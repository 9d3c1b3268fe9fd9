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
        register_object_kind("mail.inboundmessage", _("Received e-mail"))

        from vigie.accounts.services import role_grant_requested
        from vigie.mail import checks  # noqa: F401 - registers the deploy check
        from vigie.mail.addressing import STAFF, register_context_builder, register_resolver
        from vigie.mail.staff_notices import (
            TEMPLATE,
            notify_privacy_leads,
            role_grant_context,
            staff_address,
        )

        register_resolver(STAFF, staff_address)
        register_context_builder(TEMPLATE, role_grant_context)
        role_grant_requested.connect(notify_privacy_leads, dispatch_uid="mail.role_grant")
