"""Make 0005 reversible once people came back (R43).

From 0005 on, a lifted suppression entry stays (marked lifted) and a later withdrawal
adds a new active entry for the same address and scope. The schema before 0005 holds one
entry per address and scope, and deleted an entry when the person lifted it: going back
to it, the lifted entries are deleted (they no longer suppress anything), the active ones
stay. Without this, unapplying 0005 fails on its unique constraint. Forward: nothing.

A migration of its own, so that on PostgreSQL the deletion is committed before 0005
drops the columns (an ALTER TABLE cannot follow deleted rows with deferred foreign keys
in one transaction).
"""

from __future__ import annotations

from django.db import migrations


def forget_lifted(apps, schema_editor) -> None:
    entry_model = apps.get_model("consent", "SuppressionEntry")
    entry_model.objects.filter(lifted_at__isnull=False).delete()


class Migration(migrations.Migration):
    dependencies = [("consent", "0007_subscription_status_expired")]

    operations = [migrations.RunPython(migrations.RunPython.noop, forget_lifted)]
