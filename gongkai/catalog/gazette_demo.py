"""The demo region's gazettes (政府公报): the province's and one prefecture's,
a monthly issue for each of the last two years that have documents (one
merged issue 第7-8期 a year, as local gazettes print them), each issue listing
that month's public documents of the government and its departments, under
the usual sections. Deterministic: the same catalog gives the same issues.

`create_gazette_demo(region)` is a step of gongkai.demo (a `Region` with
`orgs` by plan key and `staff` by role); it writes through the gazette
services, as the office would."""

from __future__ import annotations

from gongkai.core.models import Organisation, Role

from . import gazette
from .models import NORMATIVE_GENRE, GazetteIssue
from .selectors import public_documents

# Plan keys of the organisations that run a gazette in the demo, with the
# 总期号 of their first demo issue (an old gazette has a long run behind it).
GAZETTE_ORGANISATIONS = (("province", 600), ("city2", 300))
PER_ISSUE = 8
YEARS = 2
MERGED_MONTH = 7  # 第7-8期: July's and August's documents in one issue


def _section(doc, organisation: Organisation) -> str:
    if doc.organisation_id != organisation.pk:
        return "部门文件"
    if doc.genre_id and doc.genre.name == NORMATIVE_GENRE:
        return "规范性文件"
    return "政府文件"


def create_gazette_demo(region) -> int:
    """The demo gazettes; returns the number of issues published."""
    user = region.staff.get(Role.OFFICE_ADMIN)
    if user is None:
        return 0
    published = 0
    for key, first_total in GAZETTE_ORGANISATIONS:
        organisation = region.orgs.get(key)
        if organisation is None or GazetteIssue.objects.filter(organisation=organisation).exists():
            continue
        own = [organisation.pk, *organisation.children.filter(level=Organisation.Level.DEPARTMENT)
               .values_list("pk", flat=True)]
        docs = public_documents().filter(organisation_id__in=own, published_date__isnull=False)
        years = sorted({d.year for d in docs.dates("published_date", "year")}, reverse=True)[:YEARS]
        total = first_total
        for year in sorted(years):
            number = 1
            month = 1
            while month <= 12:
                months = (month, month + 1) if month == MERGED_MONTH else (month,)
                picked = list(docs.filter(published_date__year=year, published_date__month__in=months)
                              .select_related("genre").order_by("published_date", "id")[:PER_ISSUE])
                month += len(months)
                if not picked:
                    continue
                last_day = max(d.published_date for d in picked)
                issue = gazette.issue_create(
                    organisation, user=user, name=f"{organisation.name}公报", year=year, number=number,
                    number_to=number + 1 if len(months) == 2 else None, total_number=total,
                    published_on=last_day,
                )
                # Sections in the printed order: 规范性文件, 政府文件, 部门文件.
                order = {"规范性文件": 0, "政府文件": 1, "部门文件": 2}
                picked.sort(key=lambda d: (order[_section(d, organisation)], d.published_date, d.pk))
                gazette.issue_set_contents(issue, [
                    gazette.ContentItem(d.pk, _section(d, organisation), page=1 + 4 * n) for n, d in enumerate(picked)
                ], user=user)
                gazette.issue_publish(issue, user=user)
                published += 1
                number += len(months)
                total += 1
    return published
