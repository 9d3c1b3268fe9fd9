from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "vigie.people"
    label = "people"
    verbose_name = "Personnes concernées"

    def ready(self) -> None:
        # Mail opens a person's or an organisation's address through this app at
        # send time; mail imports no domain app.
        from vigie.mail.addressing import ORGANISATION, PERSON, register_resolver
        from vigie.people.mail_addressing import organisation_address, person_address

        register_resolver(PERSON, person_address)
        register_resolver(ORGANISATION, organisation_address)

        # The outbox page (mail) shows recipients by name; mail may not import people.
        from vigie.mail.outbox import register_recipient_namer
        from vigie.people.reading import name_recipients

        register_recipient_namer(name_recipients)

        # The Art. 14 notice: its content is read from the register at render time,
        # and it counts as given only once the mail server accepted it (R9).
        from vigie.mail.addressing import register_context_builder, register_delivery_listener
        from vigie.people.notices import TEMPLATE, notice_context, record_outcome

        register_context_builder(TEMPLATE, notice_context)
        register_delivery_listener(TEMPLATE, record_outcome)
