"""One installation, many sites (issue 18, 集约化): the organisation directory
grouped as the tree is, a sub-site per organisation at /org/<pk>/, its
emblem, and the 网站地图 page. Identity data is core.SiteIdentity, read
through core.models.resolve_site_identity (the context processor shows it in
the footer and the meta tags of every page)."""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass, field

from django.core.files.storage import default_storage
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_safe

from gongkai.catalog import selectors as catalog
from gongkai.core.models import Organisation, SiteIdentity, resolve_site_identity
from gongkai.guides import selectors as guides

from .cache import public_page
from .views import Crumb

LATEST = 10


@dataclass
class OrgNode:
    """One organisation in the directory: its departments and the
    governments (or other bodies) below it, each list in the tree's order."""

    organisation: Organisation
    depth: int = 0
    departments: list[OrgNode] = field(default_factory=list)
    subordinates: list[OrgNode] = field(default_factory=list)

    @property
    def is_department(self) -> bool:
        return self.organisation.level == Organisation.Level.DEPARTMENT


def directory_tree() -> list[OrgNode]:
    """Every organisation, in one query, as the tree: top-level bodies first,
    under each government its departments apart from the governments below."""
    orgs = list(Organisation.objects.order_by("sort_order", "id").only("id", "name", "short_name", "level", "parent_id", "sort_order"))
    nodes = {o.pk: OrgNode(o) for o in orgs}
    roots: list[OrgNode] = []
    for org in orgs:
        node = nodes[org.pk]
        parent = nodes.get(org.parent_id) if org.parent_id else None
        if parent is None:
            roots.append(node)
        elif node.is_department:
            parent.departments.append(node)
        else:
            parent.subordinates.append(node)

    def set_depth(items, depth, seen):
        for node in items:
            if node.organisation.pk in seen:  # a broken (cyclic) tree must not loop forever
                continue
            seen.add(node.organisation.pk)
            node.depth = depth
            set_depth(node.departments, depth + 1, seen)
            set_depth(node.subordinates, depth + 1, seen)

    set_depth(roots, 0, set())
    return roots


def _directory_crumbs(org: Organisation | None = None) -> list[Crumb]:
    crumbs = [Crumb("首页", reverse("portal:home")), Crumb("机构网站导航", reverse("portal:directory"))]
    if org is not None:
        for above in org.ancestors():
            crumbs.append(Crumb(above.short_name or above.name, reverse("portal:org_site", args=[above.pk])))
        crumbs.append(Crumb(org.short_name or org.name))
    return crumbs


@require_safe
@public_page
def directory(request):
    return render(request, "portal/site/directory.html", {
        "roots": directory_tree(),
        "crumbs": _directory_crumbs(),
    })


def column_url(org: Organisation) -> str:
    """The organisation's 政府信息公开 column (portal/column_urls.py)."""
    try:
        return reverse("portal:org_column_home", args=[org.pk])
    except NoReverseMatch:  # the column's pages not installed
        return f"/xxgk/org/{org.pk}/"


@require_safe
@public_page
def org_site(request, pk: int):
    org = get_object_or_404(Organisation.objects.select_related("parent"), pk=pk)
    # The footer and the meta tags of this page show the organisation's identity.
    request.site_organisation = org
    identity = resolve_site_identity(org)
    request._gongkai_site_identity = identity
    children = list(Organisation.objects.filter(parent=org).order_by("sort_order", "id"))
    has_guides = guides.organisations_with_public_guides().filter(pk=org.pk).exists()
    documents = list(catalog.public_documents().filter(organisation=org)
                     .select_related("organisation", "genre").order_by("-published_date", "-id")[:LATEST])
    return render(request, "portal/site/org.html", {
        "org": org,
        "identity": identity,
        "documents": documents,
        "departments": [c for c in children if c.level == Organisation.Level.DEPARTMENT],
        "subordinates": [c for c in children if c.level != Organisation.Level.DEPARTMENT],
        "column_url": column_url(org),
        "catalog_url": reverse("portal:catalog") + f"?org={org.pk}",
        "guides_url": reverse("guides:list") + f"?org={org.pk}" if has_guides else "",
        "apply_url": reverse("applications:apply") + f"?org={org.pk}",
        "feed_url": reverse("portal:feed_organisation", args=[org.pk]),
        "crumbs": _directory_crumbs(org),
    })


@require_safe
def org_emblem(request, pk: int):
    """An organisation's own emblem image (checked PNG or JPEG when it was
    uploaded: gongkai.workspace.site_identity_views)."""
    row = SiteIdentity.objects.filter(organisation_id=pk).exclude(emblem="").first()
    if row is None:
        raise Http404("没有标识图片。")
    try:
        with default_storage.open(row.emblem.name, "rb") as handle:
            data = handle.read()
    except (FileNotFoundError, IsADirectoryError):
        raise Http404("没有标识图片。") from None
    content_type, _ = mimetypes.guess_type(row.emblem.name)
    if content_type not in ("image/png", "image/jpeg"):
        raise Http404("没有标识图片。")
    response = HttpResponse(data, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "public, max-age=300"
    return response


@require_safe
@public_page
def site_map(request):
    """网站地图: every public section of the site, and the directory's top."""
    return render(request, "portal/site/site_map.html", {
        "roots": directory_tree(),
        "crumbs": [Crumb("首页", reverse("portal:home")), Crumb("网站地图")],
    })
