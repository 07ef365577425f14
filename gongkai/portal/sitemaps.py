"""sitemap.xml (an index over sections of at most 50,000 addresses each, as
the sitemaps protocol allows; django.contrib.sitemaps writes them) and
robots.txt, which points search engines at it and keeps them out of the
workspace and the applicants' own pages."""

from django.contrib.sitemaps import Sitemap
from django.http import HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_safe

from gongkai.catalog import selectors as catalog
from gongkai.guides import selectors as guides


class DocumentSitemap(Sitemap):
    limit = 50_000
    changefreq = "monthly"

    def items(self):
        # Only what the page needs, in a stable order: each section's page is
        # a slice of this.
        return catalog.public_documents().only("id", "index_number", "updated_at").order_by("id")

    def lastmod(self, doc):
        return doc.updated_at


class GuideSitemap(Sitemap):
    changefreq = "monthly"

    def items(self):
        return guides.public_guides().order_by("id")

    def location(self, guide):
        return reverse("guides:detail", args=[guide.pk])

    def lastmod(self, guide):
        return guide.updated_at


class PageSitemap(Sitemap):
    changefreq = "daily"

    def items(self):
        return ["portal:home", "portal:catalog", "guides:list", "applications:apply"]

    def location(self, name):
        return reverse(name)


SITEMAPS = {"pages": PageSitemap, "documents": DocumentSitemap, "guides": GuideSitemap}

# Kept out of search engines: the workspace, the admin, the applicants' and
# writers' own pages, and the API (its data is the site's pages).
DISALLOW = ("/staff/", "/admin/", "/apply/status/", "/apply/received/", "/interact/status/", "/api/", "/media/")


@require_safe
def robots_txt(request):
    lines = ["User-agent: *", *[f"Disallow: {path}" for path in DISALLOW], "",
             f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}", ""]
    response = HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
    response.public_page = True
    return response
