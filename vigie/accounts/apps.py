from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "vigie.accounts"
    label = "accounts"
    verbose_name = "Comptes et habilitations"

    def ready(self) -> None:
        from vigie.accounts import signals  # noqa: F401
