"""Atom feeds of the latest public documents: the whole site, one
organisation (with the organisations below it, as the catalog counts them)
and one topic (with its subtopics). Django's syndication framework writes
them (django.contrib.syndication: Atom 1.0, ids, dates and escaping done
right); each page they belong to announces its feed with
`<link rel="alternate" type="application/atom+xml">`."""

import datetime as dt

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed

from gongkai.catalog import selectors as catalog
from gongkai.catalog.models import Topic
from gongkai.core.models import Organisation

ITEMS = 50


def _moment(day: dt.date | None, fallback: dt.datetime) -> dt.datetime:
    """A publication date as a moment (Atom wants one): the start of that day
    in the site's time zone."""
    if day is None:
        return fallback
    return timezone.make_aware(dt.datetime.combine(day, dt.time()), timezone.get_default_timezone())


class LatestDocuments(Feed):
    feed_type = Atom1Feed
    description_template = None

    def title(self, obj=None):
        return f"{settings.GONGKAI_SITE_NAME}：最新公开的政府信息"

    def subtitle(self, obj=None):
        return "政府信息公开目录中最新发布的政府信息"

    def link(self, obj=None):
        return reverse("portal:catalog")

    def feed_url(self, obj=None):
        return reverse("portal:feed_latest")

    def author_name(self, obj=None):
        return settings.GONGKAI_SITE_NAME

    def filtered(self, obj):
        return catalog.public_documents()

    def items(self, obj=None):
        return list(self.filtered(obj).select_related("organisation").order_by("-published_date", "-id")[:ITEMS])

    def item_title(self, doc):
        return doc.title

    def item_description(self, doc):
        parts = [f"发布机构：{doc.organisation.name}"]
        if doc.document_number:
            parts.append(f"发文字号：{doc.document_number}")
        if doc.summary:
            parts.append(doc.summary)
        return "\n".join(parts)

    def item_link(self, doc):
        return doc.get_absolute_url()

    def item_guid(self, doc):
        return f"tag:gongkai,{doc.created_at:%Y-%m-%d}:document/{doc.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, doc):
        return _moment(doc.published_date, doc.created_at)

    def item_updateddate(self, doc):
        return doc.updated_at

    def item_author_name(self, doc):
        return doc.organisation.name


class OrganisationDocuments(LatestDocuments):
    def get_object(self, request, pk):
        return get_object_or_404(Organisation, pk=pk)

    def title(self, obj=None):
        return f"{obj.name}：最新公开的政府信息"

    def link(self, obj=None):
        return f"{reverse('portal:catalog')}?org={obj.pk}"

    def feed_url(self, obj=None):
        return reverse("portal:feed_organisation", args=[obj.pk])

    def filtered(self, obj):
        return catalog.public_documents().filter(organisation_id__in=obj.descendant_ids())


class TopicDocuments(LatestDocuments):
    def get_object(self, request, pk):
        return get_object_or_404(Topic, pk=pk)

    def title(self, obj=None):
        return f"主题“{obj.name}”：最新公开的政府信息"

    def link(self, obj=None):
        return f"{reverse('portal:catalog')}?topic={obj.pk}"

    def feed_url(self, obj=None):
        return reverse("portal:feed_topic", args=[obj.pk])

    def filtered(self, obj):
        return catalog.public_documents().filter(topic_id__in=catalog.topic_descendant_ids([obj.pk]))
