"""Part and Symptom (from pricing) and FaultCodeMapping (from integrations) are catalogue data: the models move
here in Django's state only; each keeps its table (db_table), so no row is copied and no table rebuilt. Their
content types move with them, so the admin's history and any permission granted on them stay attached."""

import django.db.models.deletion
from django.db import migrations, models

MOVED = (("pricing", "part"), ("pricing", "symptom"), ("integrations", "faultcodemapping"))


def _move_content_types(apps, *, to_catalog: bool) -> None:
    content_type = apps.get_model("contenttypes", "ContentType")
    for old_app, model in MOVED:
        source, target = (old_app, "catalog") if to_catalog else ("catalog", old_app)
        if not content_type.objects.filter(app_label=target, model=model).exists():
            content_type.objects.filter(app_label=source, model=model).update(app_label=target)


def content_types_to_catalog(apps, schema_editor) -> None:
    _move_content_types(apps, to_catalog=True)


def content_types_back(apps, schema_editor) -> None:
    _move_content_types(apps, to_catalog=False)


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0001_initial'),
        ('catalog', '0002_serial_pattern'),
        ('contenttypes', '0002_remove_content_type_name'),
        # The tables these models keep are created there.
        ('integrations', '0002_wechat_nonces'),
        ('pricing', '0002_part_product_models'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Symptom',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(auto_now_add=True, db_index=True, verbose_name='created at')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                        ('code', models.SlugField(max_length=40, verbose_name='code')),
                        ('name', models.CharField(max_length=120, verbose_name='name')),
                        ('name_en', models.CharField(blank=True, max_length=120, verbose_name='English name')),
                        ('excludes_warranty', models.CharField(blank=True, choices=[('misuse', 'misuse'), ('accidental_damage', 'accidental or physical damage'), ('unauthorised_repair', 'repair or modification by a third party'), ('external_cause', 'external cause (power, water quality, pests, disaster)')], help_text='Set when this symptom means the warranty does not apply.', max_length=20, verbose_name='excludes warranty')),
                        ('sort_order', models.PositiveSmallIntegerField(default=0, verbose_name='sort order')),
                        ('is_active', models.BooleanField(default=True, verbose_name='active')),
                        ('category', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='symptoms', to='catalog.productcategory', verbose_name='category')),
                    ],
                    options={
                        'verbose_name': 'symptom',
                        'verbose_name_plural': 'symptoms',
                        'db_table': 'pricing_symptom',
                        'ordering': ['category', 'sort_order', 'code'],
                    },
                ),
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
                        ('symptom', models.ForeignKey(blank=True, help_text='Optional: the symptom the order is priced with.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='catalog.symptom', verbose_name='symptom')),
                    ],
                    options={
                        'verbose_name': 'fault-code mapping',
                        'verbose_name_plural': 'fault-code mappings',
                        'db_table': 'integrations_faultcodemapping',
                        'ordering': ['brand', 'fault_code', 'product_model', 'category'],
                    },
                ),
                migrations.CreateModel(
                    name='Part',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(auto_now_add=True, db_index=True, verbose_name='created at')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                        ('code', models.SlugField(max_length=40, verbose_name='part code')),
                        ('name', models.CharField(max_length=120, verbose_name='name')),
                        ('name_en', models.CharField(blank=True, max_length=120, verbose_name='English name')),
                        ('family', models.SlugField(blank=True, help_text='Parts of one family share warranty rules, e.g. filter or compressor.', max_length=40, verbose_name='part family')),
                        ('is_active', models.BooleanField(default=True, verbose_name='active')),
                        ('brand', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accounts.organisation', verbose_name='brand')),
                        ('category', models.ForeignKey(blank=True, help_text='Leave empty for a part that fits every category.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='catalog.productcategory', verbose_name='category')),
                        ('product_models', models.ManyToManyField(blank=True, help_text='The models this part is made for; leave empty when it fits every model of its category.', related_name='+', to='catalog.productmodel', verbose_name='fits these models')),
                    ],
                    options={
                        'verbose_name': 'part',
                        'verbose_name_plural': 'parts',
                        'db_table': 'pricing_part',
                        'ordering': ['code'],
                        'constraints': [models.UniqueConstraint(fields=('brand', 'code'), name='part_code_unique')],
                    },
                ),
                migrations.AddConstraint(
                    model_name='symptom',
                    constraint=models.UniqueConstraint(fields=('category', 'code'), name='symptom_code_unique'),
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
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_types_to_catalog, content_types_back),
    ]
