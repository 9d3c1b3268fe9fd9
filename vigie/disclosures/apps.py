from django.apps import AppConfig


class DisclosuresConfig(AppConfig):
    name = "vigie.disclosures"
    label = "disclosures"
    verbose_name = "Communications de données"

    def ready(self) -> None:
        from vigie.audit.display import register_sentences
        from vigie.disclosures.actions import sentences

        register_sentences(sentences())
