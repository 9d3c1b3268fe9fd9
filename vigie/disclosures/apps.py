from django.apps import AppConfig


class DisclosuresConfig(AppConfig):
    name = "vigie.disclosures"
    label = "disclosures"
    verbose_name = "Communications de données"

    def ready(self) -> None:
        from vigie.audit.display import register_sentences
        from vigie.disclosures.actions import sentences

        register_sentences(sentences())
        # The person page shows the log and its form; people may not import this app.
        from vigie.disclosures.person_panel import disclosures_panel
        from vigie.people.panels import register_person_panel

        register_person_panel("disclosures", disclosures_panel)
