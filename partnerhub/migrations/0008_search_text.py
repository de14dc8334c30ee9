# The normalised search text of partners and contacts (partnerhub.search), filled in for the rows there are.

from django.db import migrations, models

from partnerhub.search import search_text

SEARCH_FIELDS = {"Partner": ("name", "kvk_number", "notes"), "Contact": ("name", "email")}


def fill_search_text(apps, schema_editor):
    for model_name, fields in SEARCH_FIELDS.items():
        model = apps.get_model("partnerhub", model_name)
        rows = model.objects.using(schema_editor.connection.alias).only("pk", *fields).order_by("pk")
        batch = []
        for row in rows.iterator(chunk_size=2000):
            row.search_text = search_text(*(getattr(row, name) for name in fields))
            batch.append(row)
            if len(batch) == 2000:
                model.objects.bulk_update(batch, ["search_text"])
                batch = []
        model.objects.bulk_update(batch, ["search_text"])


class Migration(migrations.Migration):
    dependencies = [
        ("partnerhub", "0007_organisation_second_factor_required"),
    ]

    operations = [
        migrations.AddField(
            model_name="contact",
            name="search_text",
            field=models.TextField(default="", editable=False),
        ),
        migrations.AddField(
            model_name="partner",
            name="search_text",
            field=models.TextField(default="", editable=False),
        ),
        migrations.RunPython(fill_search_text, migrations.RunPython.noop, elidable=True),
    ]
