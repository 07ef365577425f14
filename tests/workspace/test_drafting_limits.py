"""The drafting form states the attachment limits the server enforces: the
size from settings and the allowed formats, and offers only those formats
in the file chooser."""

import pytest
from django.urls import reverse

from tests.portal.helpers import parse, text_of

pytestmark = pytest.mark.django_db


def test_the_form_states_the_attachment_limits(org_tree, make_user, client, settings):
    settings.GONGKAI_ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024
    client.force_login(make_user("drafter", (org_tree["county"], "drafter")))
    tree = parse(client.get(reverse("workspace:document_new")))
    field = tree.xpath("//input[@type='file' and @name='attachment']")[0]
    help_text = text_of(tree.get_element_by_id(f"{field.get('id')}_helptext"))
    assert "不超过20 MB" in help_text and "PDF" in help_text and "OFD" in help_text and "ZIP" in help_text
    assert ".pdf" in field.get("accept").split(",") and ".exe" not in field.get("accept")
    assert field.get("aria-describedby", "").find(f"{field.get('id')}_helptext") >= 0
