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
