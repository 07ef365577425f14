from django.db import migrations


def install(apps, schema_editor):
    from gongkai.publishing.services import install_wording_rules

    install_wording_rules(apps.get_model("publishing", "WordingRule"))


class Migration(migrations.Migration):
    dependencies = [("publishing", "0001_wording_rules")]
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
