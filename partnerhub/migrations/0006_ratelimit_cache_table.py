"""The table that rate limits count in when no Redis is configured (settings.CACHES["ratelimit"]).

`createcachetable` makes every DatabaseCache table that does not exist yet and leaves the others alone, so
this runs safely on a database that has one already, and does nothing for a Redis cache.
"""

from django.core.management import call_command
from django.db import migrations


def create_cache_tables(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("partnerhub", "0005_verbose_names")]

    operations = [migrations.RunPython(create_cache_tables, migrations.RunPython.noop)]
