"""MonthlyReport.pdf becomes an EncryptedBytesField, so rotate_keys re-seals it.

The PDFs were sealed with crypto.seal under the associated data
``attachment|stats.monthly_report:<id>`` (a context per row); the field uses
``attachment|stats.monthlyreport.pdf``. Each stored PDF is opened and sealed
again under the field's context and the same key version. A PDF that cannot be
opened (its key version is gone) is left as it was: it could not be read before
either, and the report can be made again.
"""

from typing import Any

from django.db import migrations

import sigap.vault.fields

OLD_CONTEXT = "stats.monthly_report:{pk}"
NEW_CONTEXT = "stats.monthlyreport.pdf"


def _reseal(apps: Any, schema_editor: Any, *, old: str, new: str) -> None:
    from sigap.vault.crypto import key_version_of, seal, unseal
    from sigap.vault.keyring import VaultError

    MonthlyReport = apps.get_model("stats", "MonthlyReport")
    for pk, sealed in MonthlyReport.objects.filter(pdf__isnull=False).values_list("pk", "pdf").iterator():
        raw = bytes(sealed)
        try:
            plain = unseal(raw, purpose="attachment", context=old.format(pk=pk))
        except VaultError:
            continue
        again = seal(plain, purpose="attachment", context=new.format(pk=pk), version=key_version_of(raw))
        MonthlyReport.objects.filter(pk=pk).update(pdf=again)


def forwards(apps: Any, schema_editor: Any) -> None:
    _reseal(apps, schema_editor, old=OLD_CONTEXT, new=NEW_CONTEXT)


def backwards(apps: Any, schema_editor: Any) -> None:
    _reseal(apps, schema_editor, old=NEW_CONTEXT, new=OLD_CONTEXT)


class Migration(migrations.Migration):

    dependencies = [
        ("stats", "0002_dashboard_counts_tally_and_monthly_reports"),
    ]

    operations = [
        # While the field is still a plain BinaryField in the migration state, so the
        # raw envelopes are read and written as they are.
        migrations.RunPython(forwards, backwards),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="monthlyreport",
                    name="pdf",
                    field=sigap.vault.fields.EncryptedBytesField(blank=True, null=True, purpose="attachment"),
                ),
            ],
        ),
    ]
