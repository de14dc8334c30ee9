# Trigram indexes on the search text, so that a search (`LIKE '%…%'`) reads only the rows that can match.
# PostgreSQL only: the extension operation and the indexes do nothing on another database (SQLite reads
# the column). Creating the pg_trgm extension needs a role allowed to (README,
# "Running with Postgres, Redis and a worker").

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

INDEXES = [
    ("partnerhub_partner", "partner_search_text_trgm"),
    ("partnerhub_contact", "contact_search_text_trgm"),
]


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, name in INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (search_text gin_trgm_ops)"
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for _table, name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("partnerhub", "0008_search_text"),
    ]

    operations = [
        TrigramExtension(),
        migrations.RunPython(create_indexes, drop_indexes),
    ]
