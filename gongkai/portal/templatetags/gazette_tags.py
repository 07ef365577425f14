"""Template tags of the gazette (政府公报): the "本文刊登于《…》" line of a
document page (portal/gazette/_published_in.html), one query."""

from django import template

from gongkai.catalog import gazette

register = template.Library()


@register.simple_tag
def gazette_published_in(document):
    """The document's entries in published gazette issues (empty without a saved document)."""
    if document is None or not getattr(document, "pk", None):
        return []
    return gazette.published_in(document)
