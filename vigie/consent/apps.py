from django.apps import AppConfig


class ConsentConfig(AppConfig):
    name = "vigie.consent"
    label = "consent"
    verbose_name = "Consentements et désabonnements"

    def ready(self) -> None:
        from vigie.consent.gate import marketing_gate
        from vigie.consent.preference_links import preferences_link_context
        from vigie.consent.services import confirmation_context
        from vigie.consent.suppression import suppress_like_the_person
        from vigie.mail.addressing import register_context_builder, register_marketing_gate
        from vigie.people.services import on_new_address

        # Mail asks this gate before any marketing message; without it none goes out.
        register_marketing_gate(marketing_gate)
        # People may not import consent (it sits below): consent tells it what to do
        # when a person gains an address (R41: suppressed like the person).
        on_new_address(suppress_like_the_person)
        # The outbox stores references; the links are made when the e-mail is rendered.
        register_context_builder("preferences_link", preferences_link_context)
        register_context_builder("newsletter_confirmation", confirmation_context)
        # The mailto: of List-Unsubscribe arrives in the privacy mailbox (mail.inbound).
        from vigie.consent.mailto import LABEL, unsubscribe_by_mail
        from vigie.mail.inbound import register_inbound_handler

        register_inbound_handler(LABEL, unsubscribe_by_mail)

        self.register_person_panel()
        # The audit log page shows consent events as sentences and links segments.
        from vigie.consent.display import register_audit_display

        register_audit_display()

    def register_person_panel(self) -> None:
        # The person page shows consents per purpose; people may not import consent.
        from vigie.consent.person_panel import consent_panel
        from vigie.people.panels import register_person_panel

        register_person_panel("consent", consent_panel)
