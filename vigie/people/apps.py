from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "vigie.people"
    label = "people"
    verbose_name = "Personnes concernées"
