from django.apps import AppConfig


class PolicyConfig(AppConfig):
    name = "vigie.policy"
    label = "policy"
    verbose_name = "Politique de confidentialité"
