from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "vigie.accounts"
    label = "accounts"
    verbose_name = "Comptes et habilitations"

    def ready(self) -> None:
        from vigie.accounts import signals, totp_seeds  # noqa: F401
        from vigie.accounts.display import register_audit_display

        register_audit_display()
        totp_seeds.install()
