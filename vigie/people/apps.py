from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "vigie.people"
    label = "people"
    verbose_name = "Personnes concernées"

    def ready(self) -> None:
        # The outbox page (mail) shows recipients by name; mail may not import people.
        from vigie.mail.outbox import register_recipient_namer
        from vigie.people.reading import name_recipients

        register_recipient_namer(name_recipients)
