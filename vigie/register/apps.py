from django.apps import AppConfig


class RegisterConfig(AppConfig):
    name = "vigie.register"
    label = "register"
    verbose_name = "Registre des traitements"

    def ready(self) -> None:
        # Pages, mail and PDFs read the company's identity through vigie.lib.controller;
        # the register is where it lives (its ``controller`` section).
        from vigie.lib.controller import set_controller_provider
        from vigie.register.identity import current_controller_from_register

        set_controller_provider(current_controller_from_register)
        # Mail addresses a register recipient's privacy contact by its register key.
        from vigie.mail.addressing import register_resolver
        from vigie.register.identity import recipient_contact

        register_resolver("recipient", recipient_contact)
        from vigie.register.display import register_audit_display

        register_audit_display()
