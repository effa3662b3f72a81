"""FaultCodeMapping moved to catalog with its table (catalog 0003): an alert's mapping points there, and the model
leaves this app's state; the database does not change."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('catalog', '0003_parts_symptoms_fault_codes'),
        ('integrations', '0002_wechat_nonces'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='devicealert',
                    name='mapping',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='catalog.faultcodemapping', verbose_name='mapping'),
                ),
                migrations.DeleteModel(
                    name='FaultCodeMapping',
                ),
            ],
            database_operations=[],
        ),
    ]
