"""Case type may be ``Lainnya`` (adult male victim); cases take their primary report's recomputed type."""

from typing import Any

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_case_type(apps: Any, schema_editor: Any) -> None:
    Case = apps.get_model("cases", "Case")
    Report = apps.get_model("intake", "Report")
    Case.objects.update(
        case_type=Subquery(Report.objects.filter(pk=OuterRef("primary_report_id")).values("case_type")[:1])
    )


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0004_mediation_matters_and_police_duty_decision'),
        ('intake', '0005_recompute_ages_at_incident'),
    ]

    operations = [
        migrations.AlterField(
            model_name='case',
            name='case_type',
            field=models.CharField(blank=True, choices=[('KtP', 'Kekerasan terhadap Perempuan (KtP)'), ('AMPK', 'Anak yang Memerlukan Perlindungan Khusus (AMPK)'), ('Lainnya', 'Korban dewasa laki-laki')], max_length=7, verbose_name='jenis kasus'),
        ),
        migrations.RunPython(copy_case_type, migrations.RunPython.noop),
    ]
