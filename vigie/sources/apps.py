from django.apps import AppConfig


class SourcesConfig(AppConfig):
    name = "vigie.sources"
    label = "sources"
    verbose_name = "Sources de données personnelles"
