from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "vigie.jobs"
    label = "jobs"
    verbose_name = "Tâches planifiées"
