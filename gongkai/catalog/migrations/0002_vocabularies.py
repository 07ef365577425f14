from django.db import migrations


def install(apps, schema_editor):
    from gongkai.catalog import vocabularies

    vocabularies.install(apps.get_model("catalog", "Topic"), apps.get_model("catalog", "Genre"))


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
