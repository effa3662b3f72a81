"""A visit's symptom points at catalog.Symptom, the same table as before: the state changes, the database does not."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('catalog', '0003_parts_symptoms_fault_codes'),
        ('field', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='visit',
                    name='symptom',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='catalog.symptom', verbose_name='diagnosed symptom'),
                ),
            ],
            database_operations=[],
        ),
    ]
