"""The portal's <select> lists are written as one string (forms.QuickSelect)
and must stay exactly what Django's own widget renders: the same attributes,
options, labels (escaped) and selection."""

import pytest
from django import forms as django_forms
from lxml import html as lxml_html

from gongkai.portal import forms

pytestmark = pytest.mark.django_db


def parsed(markup: str):
    select = lxml_html.fragment_fromstring(markup)
    return (select.tag, dict(select.attrib),
            [(o.get("value"), o.text_content(), o.get("selected") is not None) for o in select.iter("option")])


@pytest.mark.parametrize("value", [None, "", "3", 3, "nonexistent"])
def test_the_quick_select_renders_what_django_renders(value):
    choices = [("", "全部机构"), ("1", "四川省人民政府"), ("2", "\u3000成都市<人民>政府 & \"市\""), ("3", "\u3000\u3000锦江区")]
    quick = forms.QuickSelect(attrs={"aria-describedby": "help"}, choices=choices)
    plain = django_forms.Select(attrs={"aria-describedby": "help"}, choices=choices)
    attrs = {"id": "id_org", "required": False}
    assert parsed(quick.render("org", value, attrs)) == parsed(plain.render("org", value, attrs))


def test_the_catalog_form_uses_it_with_the_organisation_tree(org_tree):
    form = forms.FilterForm({"org": str(org_tree["county"].pk)})
    form.is_valid()
    tag, attrs, options = parsed(str(form["org"]))
    assert tag == "select" and attrs["id"] == "id_org" and attrs["name"] == "org"
    assert [label for _, label, selected in options if selected] == ["\u3000\u3000西昌市人民政府"]
