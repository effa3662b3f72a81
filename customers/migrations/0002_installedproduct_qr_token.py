from django.db import migrations, models

import customers.models


def fill_tokens(apps, schema_editor):
    InstalledProduct = apps.get_model("customers", "InstalledProduct")
    for pk in InstalledProduct.objects.filter(qr_token__isnull=True).values_list("pk", flat=True).iterator():
        InstalledProduct.objects.filter(pk=pk).update(qr_token=customers.models.new_qr_token())


class Migration(migrations.Migration):
    dependencies = [("customers", "0001_initial")]

    operations = [
        # Added empty first: a callable default here would be computed once and given to every row.
        migrations.AddField(
            model_name="installedproduct", name="qr_token",
            field=models.CharField(blank=True, editable=False, max_length=16, null=True, unique=True,
                                   verbose_name="QR code token"),
        ),
        migrations.RunPython(fill_tokens, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="installedproduct", name="qr_token",
            field=models.CharField(blank=True, default=customers.models.new_qr_token, editable=False, max_length=16,
                                   null=True, unique=True, verbose_name="QR code token"),
        ),
    ]
