"""Seal the TOTP seeds written in clear before vigie/accounts/totp_seeds.py existed."""

from django.db import migrations


def seal_all(apps, schema_editor):
    from vigie.accounts.totp_seeds import PREFIX, seal_seed

    devices = apps.get_model("otp_totp", "TOTPDevice").objects.using(schema_editor.connection.alias)
    for device in devices.exclude(key__startswith=PREFIX).only("pk", "key", "user_id"):
        devices.filter(pk=device.pk).update(key=seal_seed(device.key, device.user_id))


def open_all(apps, schema_editor):
    from vigie.accounts.totp_seeds import PREFIX, open_seed

    devices = apps.get_model("otp_totp", "TOTPDevice").objects.using(schema_editor.connection.alias)
    for device in devices.filter(key__startswith=PREFIX).only("pk", "key", "user_id"):
        devices.filter(pk=device.pk).update(key=open_seed(device.key, device.user_id).hex())


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_role_grant"),
        ("otp_totp", "0003_add_timestamps"),
    ]

    operations = [migrations.RunPython(seal_all, open_all)]
