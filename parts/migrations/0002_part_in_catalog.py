"""Stock, moves, requests and returns point at catalog.Part, the same table as before: the state changes, the
database does not."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('catalog', '0003_parts_symptoms_fault_codes'),
        ('parts', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='defectivereturn',
                    name='part',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='catalog.part', verbose_name='part'),
                ),
                migrations.AlterField(
                    model_name='partrequestline',
                    name='part',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='catalog.part', verbose_name='part'),
                ),
                migrations.AlterField(
                    model_name='stockbalance',
                    name='part',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='catalog.part', verbose_name='part'),
                ),
                migrations.AlterField(
                    model_name='stockmove',
                    name='part',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='catalog.part', verbose_name='part'),
                ),
            ],
            database_operations=[],
        ),
    ]
