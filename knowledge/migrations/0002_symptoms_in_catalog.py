"""An article's symptoms point at catalog.Symptom, the same table as before: the state changes, the database does
not."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('catalog', '0003_parts_symptoms_fault_codes'),
        ('knowledge', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='article',
                    name='symptoms',
                    field=models.ManyToManyField(blank=True, help_text='Shown when a customer reports one of these.', related_name='articles', to='catalog.symptom', verbose_name='symptoms'),
                ),
            ],
            database_operations=[],
        ),
    ]
