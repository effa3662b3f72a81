"""Staff e-mail (StaffEmail, StaffPreference.language); the urges' notices move into the one in-app sink."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def urges_to_the_in_app_sink(apps, schema_editor):
    """Deliveries still waiting for the old ``in_app_urges`` sink go to ``in_app``, which now takes
    ``order.urged`` (the notice's key is the same, so nothing is told twice)."""
    Delivery = apps.get_model("core", "Delivery")
    Delivery.objects.filter(sink="in_app_urges").exclude(status="delivered").update(sink="in_app")


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0001_initial'),
        ('core', '0002_outbox'),
        ('notifications', '0003_customer_message_receipts'),
        ('workorders', '0015_rework_of'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='staffpreference',
            name='language',
            field=models.CharField(choices=[('zh-hans', 'Simplified Chinese'), ('en', 'English')], default='zh-hans', max_length=10, verbose_name='language'),
        ),
        migrations.CreateModel(
            name='StaffEmail',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('key', models.CharField(max_length=120, verbose_name='key')),
                ('kind', models.CharField(max_length=20, verbose_name='kind')),
                ('address', models.CharField(max_length=254, verbose_name='sent to')),
                ('language', models.CharField(max_length=10, verbose_name='language')),
                ('subject', models.CharField(max_length=200, verbose_name='subject')),
                ('text', models.TextField(verbose_name='text')),
                ('status', models.CharField(choices=[('queued', 'Queued'), ('deferred', 'Deferred (quiet hours)'), ('sent', 'Sent'), ('delivered', 'Delivered'), ('failed', 'Failed'), ('suppressed', 'Not sent (opted out)')], default='queued', max_length=12, verbose_name='status')),
                ('provider_id', models.CharField(blank=True, max_length=120, verbose_name="provider's id")),
                ('error_code', models.CharField(blank=True, max_length=64, verbose_name='error code')),
                ('error_detail', models.CharField(blank=True, max_length=300, verbose_name='error')),
                ('attempts', models.PositiveSmallIntegerField(default=0, verbose_name='attempts')),
                ('next_attempt_at', models.DateTimeField(blank=True, null=True, verbose_name='next attempt')),
                ('created_at', models.DateTimeField(verbose_name='created')),
                ('sent_at', models.DateTimeField(blank=True, null=True, verbose_name='sent')),
                ('brand', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='accounts.organisation', verbose_name='brand')),
                ('recipient', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='recipient')),
                ('work_order', models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='workorders.workorder', verbose_name='work order')),
            ],
            options={
                'verbose_name': 'staff e-mail',
                'verbose_name_plural': 'staff e-mails',
                'ordering': ['created_at', 'pk'],
                'constraints': [models.UniqueConstraint(fields=('recipient', 'key'), name='staff_email_once_per_key')],
            },
        ),
        migrations.RunPython(urges_to_the_in_app_sink, migrations.RunPython.noop),
    ]
