import django.core.validators
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('accounts', '0001_initial'),
        ('catalog', '0001_initial'),
        ('customers', '0001_initial'),
        ('pricing', '0001_initial'),
        ('workorders', '0004_more_event_kinds'),
    ]

    operations = [
        migrations.CreateModel(
            name='FaultCodeMapping',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True, db_index=True, verbose_name='created at')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                ('fault_code', models.CharField(help_text='As the device reports it; compared without regard to case.', max_length=32, verbose_name='fault code')),
                ('label', models.CharField(max_length=120, verbose_name='meaning')),
                ('service_type', models.CharField(choices=[('install', 'Installation'), ('repair', 'Repair'), ('maintenance', 'Maintenance'), ('inspection', 'Inspection'), ('mail_in', 'Mail-in repair'), ('site_survey', 'Site survey')], default='repair', max_length=20, verbose_name='service type')),
                ('priority', models.CharField(choices=[('low', 'Low'), ('normal', 'Normal'), ('high', 'High'), ('urgent', 'Urgent')], default='normal', max_length=10, verbose_name='priority')),
                ('is_active', models.BooleanField(default=True, verbose_name='active')),
                ('brand', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='accounts.organisation', verbose_name='brand')),
                ('category', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='catalog.productcategory', verbose_name='category')),
                ('product_model', models.ForeignKey(blank=True, help_text='Give a product model, or leave it empty and give a category (the fallback).', null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='catalog.productmodel', verbose_name='product model')),
                ('symptom', models.ForeignKey(blank=True, help_text='Optional: the symptom the order is priced with.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='pricing.symptom', verbose_name='symptom')),
            ],
            options={
                'verbose_name': 'fault-code mapping',
                'verbose_name_plural': 'fault-code mappings',
                'ordering': ['brand', 'fault_code', 'product_model', 'category'],
            },
        ),
        migrations.CreateModel(
            name='DeviceAlert',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('alert_id', models.CharField(max_length=64, verbose_name='alert id')),
                ('fault_code', models.CharField(blank=True, max_length=32, verbose_name='fault code')),
                ('message', models.CharField(blank=True, max_length=500, verbose_name='message')),
                ('occurred_at', models.DateTimeField(verbose_name='occurred at')),
                ('received_at', models.DateTimeField(verbose_name='received at')),
                ('outcome', models.CharField(choices=[('order_created', 'Work order opened'), ('added_to_order', 'Added to the open work order'), ('unmapped_fault', 'Unknown fault code: stored, no order'), ('readings_stored', 'Readings only: stored, no order')], max_length=20, verbose_name='outcome')),
                ('response_status', models.PositiveSmallIntegerField(default=0, verbose_name='response status')),
                ('response_body', models.JSONField(blank=True, default=dict, verbose_name='response')),
                ('brand', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='accounts.organisation', verbose_name='brand')),
                ('product', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='device_alerts', to='customers.installedproduct', verbose_name='product')),
                ('work_order', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='workorders.workorder', verbose_name='work order')),
                ('mapping', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='integrations.faultcodemapping', verbose_name='mapping')),
            ],
            options={
                'verbose_name': 'device alert',
                'verbose_name_plural': 'device alerts',
                'ordering': ['-received_at', '-pk'],
            },
        ),
        migrations.CreateModel(
            name='RejectedRequest',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('ring', models.CharField(editable=False, max_length=40)),
                ('slot', models.PositiveSmallIntegerField(editable=False)),
                ('source', models.CharField(choices=[('iot', 'IoT alerts'), ('wechat', 'WeChat callback')], max_length=10, verbose_name='source')),
                ('code', models.CharField(max_length=40, verbose_name='code')),
                ('detail', models.CharField(blank=True, max_length=200, verbose_name='detail')),
                ('remote_addr', models.GenericIPAddressField(blank=True, null=True, verbose_name='remote address')),
                ('at', models.DateTimeField(verbose_name='time')),
                ('brand', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='accounts.organisation', verbose_name='brand')),
            ],
            options={
                'verbose_name': 'refused request',
                'verbose_name_plural': 'refused requests',
                'ordering': ['-at', '-pk'],
            },
        ),
        migrations.CreateModel(
            name='UsageReading',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('metric', models.CharField(choices=[('litres_filtered', 'Litres filtered'), ('filter_life_pct', 'Filter life left (%)'), ('running_hours', 'Running hours'), ('tds_in_ppm', 'Inlet TDS (ppm)'), ('tds_out_ppm', 'Outlet TDS (ppm)')], max_length=20, verbose_name='metric')),
                ('value', models.DecimalField(decimal_places=3, max_digits=15, verbose_name='value')),
                ('read_at', models.DateTimeField(verbose_name='read at')),
                ('alert', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='readings', to='integrations.devicealert', verbose_name='alert')),
                ('brand', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='accounts.organisation', verbose_name='brand')),
                ('product', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='usage_readings', to='customers.installedproduct', verbose_name='product')),
            ],
            options={
                'verbose_name': 'usage reading',
                'verbose_name_plural': 'usage readings',
                'ordering': ['product', 'metric', '-read_at'],
            },
        ),
        migrations.CreateModel(
            name='WeChatAccount',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True, db_index=True, verbose_name='created at')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                ('name', models.CharField(max_length=80, verbose_name='name')),
                ('app_id', models.CharField(blank=True, help_text='Needed for the encrypted (safe) mode.', max_length=32, verbose_name='AppID')),
                ('original_id', models.CharField(blank=True, help_text="The account's gh_… id; messages addressed to another are refused.", max_length=32, verbose_name='original ID')),
                ('token', models.CharField(max_length=32, validators=[django.core.validators.RegexValidator('^[A-Za-z0-9]{3,32}$', "3 to 32 letters and digits, as in WeChat's console.")], verbose_name='token')),
                ('encoding_aes_key', models.CharField(blank=True, max_length=43, validators=[django.core.validators.RegexValidator('^[A-Za-z0-9]{43}$', "43 letters and digits, as in WeChat's console.")], verbose_name='EncodingAESKey')),
                ('mode', models.CharField(choices=[('plain', 'Plaintext'), ('compatible', 'Compatible (plaintext and encrypted)'), ('safe', 'Safe (encrypted)')], default='plain', max_length=12, verbose_name='message mode')),
                ('is_active', models.BooleanField(default=True, verbose_name='active')),
                ('brand', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='wechat_account', to='accounts.organisation', verbose_name='brand')),
            ],
            options={
                'verbose_name': 'WeChat official account',
                'verbose_name_plural': 'WeChat official accounts',
            },
        ),
        migrations.CreateModel(
            name='WeChatLink',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True, db_index=True, verbose_name='created at')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                ('openid', models.CharField(max_length=64, verbose_name='openid')),
                ('brand', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='accounts.organisation', verbose_name='brand')),
                ('customer', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='wechat_links', to='customers.customer', verbose_name='customer')),
            ],
            options={
                'verbose_name': 'WeChat link',
                'verbose_name_plural': 'WeChat links',
                'ordering': ['-created_at'],
            },
        ),
        migrations.CreateModel(
            name='WeChatMessage',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('dedupe_key', models.CharField(max_length=120, verbose_name='message key')),
                ('openid', models.CharField(max_length=64, verbose_name='openid')),
                ('msg_type', models.CharField(max_length=20, verbose_name='message type')),
                ('event', models.CharField(blank=True, max_length=40, verbose_name='event')),
                ('content', models.CharField(blank=True, max_length=600, verbose_name='content')),
                ('reply', models.TextField(blank=True, verbose_name='reply')),
                ('received_at', models.DateTimeField(verbose_name='received at')),
                ('brand', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='accounts.organisation', verbose_name='brand')),
                ('work_order', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='workorders.workorder', verbose_name='work order')),
            ],
            options={
                'verbose_name': 'WeChat message',
                'verbose_name_plural': 'WeChat messages',
                'ordering': ['-received_at', '-pk'],
            },
        ),
        migrations.CreateModel(
            name='DeviceSecret',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True, db_index=True, verbose_name='created at')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                ('label', models.CharField(max_length=80, verbose_name='label')),
                ('secret', models.CharField(editable=False, max_length=128, verbose_name='secret')),
                ('last_four', models.CharField(editable=False, max_length=4, verbose_name='ends with')),
                ('is_active', models.BooleanField(default=True, verbose_name='active')),
                ('revoked_at', models.DateTimeField(blank=True, editable=False, null=True, verbose_name='revoked at')),
                ('last_used_at', models.DateTimeField(blank=True, editable=False, null=True, verbose_name='last used at')),
                ('brand', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='accounts.organisation', verbose_name='brand')),
            ],
            options={
                'verbose_name': 'IoT signing secret',
                'verbose_name_plural': 'IoT signing secrets',
                'ordering': ['brand', '-created_at'],
                'indexes': [models.Index(fields=['brand', 'is_active'], name='iot_secret_brand_active')],
            },
        ),
        migrations.AddConstraint(
            model_name='faultcodemapping',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('category__isnull', True), ('product_model__isnull', False)), models.Q(('category__isnull', False), ('product_model__isnull', True)), _connector='OR'), name='fault_mapping_one_scope'),
        ),
        migrations.AddConstraint(
            model_name='faultcodemapping',
            constraint=models.UniqueConstraint(condition=models.Q(('category__isnull', True)), fields=('product_model', 'fault_code'), name='fault_mapping_model_unique'),
        ),
        migrations.AddConstraint(
            model_name='faultcodemapping',
            constraint=models.UniqueConstraint(condition=models.Q(('product_model__isnull', True)), fields=('category', 'fault_code'), name='fault_mapping_category_unique'),
        ),
        migrations.AddIndex(
            model_name='devicealert',
            index=models.Index(fields=['product', '-received_at'], name='device_alert_product'),
        ),
        migrations.AddConstraint(
            model_name='devicealert',
            constraint=models.UniqueConstraint(fields=('brand', 'alert_id'), name='device_alert_unique'),
        ),
        migrations.AddConstraint(
            model_name='rejectedrequest',
            constraint=models.UniqueConstraint(fields=('ring', 'slot'), name='rejected_request_slot'),
        ),
        migrations.AddIndex(
            model_name='usagereading',
            index=models.Index(fields=['product', 'metric', '-read_at'], name='reading_product_metric'),
        ),
        migrations.AddConstraint(
            model_name='wechataccount',
            constraint=models.CheckConstraint(condition=models.Q(('mode', 'plain'), models.Q(models.Q(('encoding_aes_key', ''), _negated=True), models.Q(('app_id', ''), _negated=True)), _connector='OR'), name='wechat_encrypted_needs_key'),
        ),
        migrations.AddConstraint(
            model_name='wechatlink',
            constraint=models.UniqueConstraint(fields=('brand', 'openid'), name='wechat_link_unique'),
        ),
        migrations.AddConstraint(
            model_name='wechatmessage',
            constraint=models.UniqueConstraint(fields=('brand', 'dedupe_key'), name='wechat_message_unique'),
        ),
    ]
