from django.apps import AppConfig


class RightsConfig(AppConfig):
    name = "vigie.rights"
    label = "rights"
    verbose_name = "Demandes d’exercice des droits"

    def ready(self) -> None:
        # Mail opens a requester's address through this app at send time, reads the
        # letters' content here when it renders them, and tells this app whether each
        # letter reached the mail server (the case's documents, R46).
        from vigie.mail.addressing import (
            REQUESTER,
            register_context_builder,
            register_delivery_listener,
            register_resolver,
        )
        from vigie.rights.letters import (
            TEMPLATES,
            letter_context,
            record_outcome,
            requester_address,
        )

        register_resolver(REQUESTER, requester_address)
        # R78: each message of the privacy mailbox opens its case on arrival, which
        # acknowledges it; the message then waits in triage to be sorted.
        from vigie.mail.inbound import register_inbound_handler
        from vigie.rights.mailbox import LABEL, acknowledge_on_arrival

        register_inbound_handler(LABEL, acknowledge_on_arrival, keep_content=True)
        for template in TEMPLATES:
            register_context_builder(template, letter_context)
            register_delivery_listener(template, record_outcome)
        # The personal space's e-mails: their links are made when they are rendered.
        from vigie.rights.space import email_change_context, space_link_context

        register_context_builder("rights_space_link", space_link_context)
        register_context_builder("rights_email_change", email_change_context)
        # Portability (R58): the one-time link to the receiving controller.
        from vigie.rights.portability import LINK_TEMPLATE, link_context

        register_context_builder(LINK_TEMPLATE, link_context)

        # Art. 19 notices (R57): written at render time, SENT once delivered.
        from vigie.rights.art19 import NOTICE_TEMPLATE, notice_context, record_notice_outcome

        register_context_builder(NOTICE_TEMPLATE, notice_context)
        register_delivery_listener(NOTICE_TEMPLATE, record_notice_outcome)
        from vigie.rights.recipients import TEMPLATE as RECIPIENTS_TEMPLATE
        from vigie.rights.recipients import recipients_context

        register_context_builder(RECIPIENTS_TEMPLATE, recipients_context)
        register_delivery_listener(RECIPIENTS_TEMPLATE, record_outcome)

        from vigie.rights.jobs import ALERT_TEMPLATE, alert_context

        register_context_builder(ALERT_TEMPLATE, alert_context)

        from django.utils.translation import gettext_lazy as _

        from vigie.audit.display import register_object_kind, register_sentences, reverse_each
        from vigie.rights.actions import sentences

        register_sentences(sentences())

        # R19: the person page's « delete this account or contact » (people may not
        # import rights).
        from vigie.people.panels import register_person_panel
        from vigie.rights.account_deletion import deletion_panel

        register_person_panel("rights-delete", deletion_panel)
        from vigie.rights.death_views import death_panel

        register_person_panel("rights-death", death_panel)

        def case_links(ids: list[str]) -> dict[str, tuple[str, str]]:
            """Each case's page, titled by its number (« DDP-2026-0003 », not its id)."""
            from vigie.rights.models import Case

            urls = reverse_each("cases:detail", ids)
            numbers = {
                str(pk): number
                for pk, number in Case.objects.filter(pk__in=list(urls)).values_list("pk", "number")
            }
            return {i: (url, numbers.get(i, "")) for i, url in urls.items()}

        register_object_kind("rights.case", _("Rights request"), case_links)
