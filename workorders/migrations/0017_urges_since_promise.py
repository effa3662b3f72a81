from django.db import migrations, models


def count_since_promise(apps, schema_editor):
    """Number the urges already made within each run of one promise: the run restarts when the promise moved."""
    Urge = apps.get_model("workorders", "Urge")
    last: tuple[int, object, int] | None = None  # (order, promised, number)
    changed = []
    for urge in Urge.objects.order_by("work_order_id", "seq").only("pk", "work_order_id", "promised"):
        same = last is not None and last[0] == urge.work_order_id and last[1] == urge.promised
        number = last[2] + 1 if same else 1
        last = (urge.work_order_id, urge.promised, number)
        if number != 1:
            urge.since_promise = number
            changed.append(urge)
    Urge.objects.bulk_update(changed, ["since_promise"], batch_size=500)


class Migration(migrations.Migration):

    dependencies = [
        ('workorders', '0016_one_live_rework'),
    ]

    operations = [
        migrations.AddField(
            model_name='urge',
            name='since_promise',
            field=models.PositiveSmallIntegerField(db_default=1, default=1, verbose_name='urge number since the promise'),
        ),
        migrations.RunPython(count_since_promise, migrations.RunPython.noop, elidable=True),
    ]
