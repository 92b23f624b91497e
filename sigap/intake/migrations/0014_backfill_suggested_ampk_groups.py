"""Child victims filed before AMPK groups existed (0006) get SIGAP's suggested groups (issue 14).

The groups their report's violence types, sexual-violence forms and disability
point to (``sigap.intake.ampk.suggest_ampk_groups``), marked ``suggested``, so the
statistics count them; a victim with any group is left as it is, so the migration
can run again without adding anything. Reversing it removes nothing: a suggested
group cannot be told apart from one staff later kept.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations


def backfill(apps: Any, schema_editor: Any) -> None:
    from sigap.intake.ampk import backfill_suggested_groups

    backfill_suggested_groups(apps)


class Migration(migrations.Migration):
    dependencies = [("intake", "0013_ampk_group_suggested_mark")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True)]
