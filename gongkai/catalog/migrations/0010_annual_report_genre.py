"""The genre 年度报告 (政府信息公开工作年度报告) for databases migrated before it was
shipped in catalog/data/genres.json (installed after every migrate and flush).
The annual reports published from
gongkai.reports go into the catalog under it (the catalog has no column
concept of its own: the genre is the 年度报告 column)."""

from django.db import migrations
from django.db.models import F

NAME = "年度报告"


def add_genre(apps, schema_editor):
    Genre = apps.get_model("catalog", "Genre")
    if Genre.objects.filter(name=NAME).exists():
        return
    other = Genre.objects.filter(name="其他").first()
    if other is None:
        last = Genre.objects.order_by("-sort_order").values_list("sort_order", flat=True).first()
        Genre.objects.create(name=NAME, sort_order=(last or 0) + 1)
        return
    # Before 其他, which stays last.
    Genre.objects.filter(sort_order__gte=other.sort_order).update(sort_order=F("sort_order") + 1)
    Genre.objects.create(name=NAME, sort_order=other.sort_order)


def remove_genre(apps, schema_editor):
    Genre = apps.get_model("catalog", "Genre")
    Document = apps.get_model("catalog", "Document")
    genre = Genre.objects.filter(name=NAME).first()
    if genre is not None and not Document.objects.filter(genre=genre).exists():
        genre.delete()


class Migration(migrations.Migration):
    dependencies = [("catalog", "0009_consultation_relation")]
    operations = [migrations.RunPython(add_genre, remove_genre)]
