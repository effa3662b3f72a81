"""Part and Symptom moved to catalog with their tables (catalog 0003): prices and warranty rules point there, and
the models leave this app's state; the database does not change."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('catalog', '0003_parts_symptoms_fault_codes'),
        ('field', '0002_symptom_in_catalog'),
        ('integrations', '0003_fault_codes_to_catalog'),
        ('knowledge', '0002_symptoms_in_catalog'),
        ('parts', '0002_part_in_catalog'),
        ('pricing', '0002_part_product_models'),
        ('workorders', '0013_symptom_in_catalog'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='partprice',
                    name='part',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='prices', to='catalog.part', verbose_name='part'),
                ),
                migrations.AlterField(
                    model_name='warrantyrule',
                    name='part',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='warranty_rules', to='catalog.part', verbose_name='part'),
                ),
                migrations.RemoveField(
                    model_name='symptom',
                    name='category',
                ),
                migrations.DeleteModel(
                    name='Part',
                ),
                migrations.DeleteModel(
                    name='Symptom',
                ),
            ],
            database_operations=[],
        ),
    ]
