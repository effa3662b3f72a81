"""An order's reported symptom points at catalog.Symptom, the same table as before: the state changes, the database
does not."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('catalog', '0003_parts_symptoms_fault_codes'),
        ('workorders', '0012_holidays_and_booked_deadlines'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='workorder',
                    name='reported_symptom',
                    field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='catalog.symptom', verbose_name='reported symptom'),
                ),
            ],
            database_operations=[],
        ),
    ]
