"""The one place the portal reads filters from a query string.

`read_query(request.GET)` validates what came in (anything may be typed into a
URL), drops what is invalid with a message in Chinese, and returns a
`PortalQuery`: the search text, the search layer's `Filters`, the order and
page, and the canonical parameters for building links (facets, paging).
"""

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django import forms
from django.forms.utils import flatatt
from django.http import QueryDict
from django.utils.html import escape
from django.utils.safestring import mark_safe

from gongkai.catalog.models import Document, Genre, Topic
from gongkai.catalog.selectors import VALIDITY_UNMARKED, topic_descendant_ids
from gongkai.core import generation
from gongkai.core.models import Organisation, descendant_ids
from gongkai.search.backends import Filters
from gongkai.search.query import MAX_QUERY_CHARS
from gongkai.search.services import ORDERS

MIN_YEAR, MAX_YEAR = 1949, 2100
INDENT = "\u3000"  # a full-width space per tree level in a <select>

SCOPE_CHOICES = [("1", "含下级机构"), ("0", "仅本机构")]
VALIDITY_CHOICES = [("", "全部")] + [(v, label) for v, label in Document.Validity.choices if v] + [
    (VALIDITY_UNMARKED, "未标注")]
# The order parameters, in the order they appear in links.
PARAMS = ["q", "org", "sub", "topic", "genre", "year", "year_from", "year_to", "validity", "order", "page"]


def _tree_choices(rows, empty_label: str) -> list[tuple[str, str]]:
    """(id, parent_id, name) rows in display order -> indented <select> choices."""
    by_parent: dict = {}
    ids = {row[0] for row in rows}
    for node_id, parent_id, name in rows:
        by_parent.setdefault(parent_id if parent_id in ids else None, []).append((node_id, name))
    choices = [("", empty_label)]

    def walk(parent_id, depth):
        if depth > 20:
            return
        for node_id, name in by_parent.get(parent_id, []):
            choices.append((str(node_id), INDENT * depth + name))
            walk(node_id, depth + 1)

    walk(None, 0)
    return choices


_choices_memo: list = [None]  # (version, choices), replaced as one item so threads never see half


def filter_choices() -> dict[str, list[tuple[str, str]]]:
    """The organisation, topic and genre choices of the filter form, built
    once per content generation (every change to them bumps it: core and
    catalog `generation.watch`) and shared by every form in the process;
    rebuilt on each call while nothing has bumped it yet."""
    version = generation.current()
    memo = _choices_memo[0]
    if version is not None and memo is not None and memo[0] == version[0]:
        return memo[1]
    orgs = Organisation.objects.order_by("sort_order", "id").values_list("id", "parent_id", "name")
    topics = Topic.objects.order_by("sort_order", "id").values_list("id", "parent_id", "name")
    genres = Genre.objects.order_by("sort_order", "id").values_list("id", "name")
    choices = {
        "org": _tree_choices(list(orgs), "全部机构"),
        "topic": _tree_choices(list(topics), "全部主题"),
        "genre": [("", "全部体裁")] + [(str(i), name) for i, name in genres],
    }
    if version is not None:
        _choices_memo[0] = (version[0], choices)
    return choices


class QuickSelect(forms.Select):
    """A <select> written as one string. Django renders each <option> through
    a template (about 0.1 ms each), and the organisation and topic lists have
    hundreds: that was most of a catalog or search page's time. Same markup,
    values and labels escaped."""

    def render(self, name, value, attrs=None, renderer=None):
        chosen = set(self.format_value(value))
        parts = [f'<select name="{escape(name)}"{flatatt(self.build_attrs(self.attrs, attrs))}>']
        for option_value, label in self.choices:
            option_value = "" if option_value is None else str(option_value)
            selected = " selected" if option_value in chosen else ""
            parts.append(f'<option value="{escape(option_value)}"{selected}>{escape(label)}</option>')
        parts.append("</select>")
        return mark_safe("".join(parts))


class YearInput(forms.NumberInput):
    def __init__(self, attrs=None):
        super().__init__({"min": MIN_YEAR, "max": MAX_YEAR, "inputmode": "numeric", **(attrs or {})})


class FilterForm(forms.Form):
    """Search text and catalog filters, as GET parameters."""

    q = forms.CharField(
        label="检索词",
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "maxlength": MAX_QUERY_CHARS, "aria-describedby": "q-help"}),
    )
    org = forms.TypedChoiceField(label="发布机构", required=False, coerce=int, empty_value=None, widget=QuickSelect)
    sub = forms.ChoiceField(label="机构范围", required=False, choices=SCOPE_CHOICES, widget=QuickSelect)
    topic = forms.TypedChoiceField(label="主题分类", required=False, coerce=int, empty_value=None, widget=QuickSelect)
    genre = forms.TypedChoiceField(label="体裁分类", required=False, coerce=int, empty_value=None, widget=QuickSelect)
    year = forms.IntegerField(label="年份", required=False, min_value=MIN_YEAR, max_value=MAX_YEAR, widget=YearInput)
    year_from = forms.IntegerField(
        label="起始年份", required=False, min_value=MIN_YEAR, max_value=MAX_YEAR, widget=YearInput
    )
    year_to = forms.IntegerField(
        label="截止年份", required=False, min_value=MIN_YEAR, max_value=MAX_YEAR, widget=YearInput
    )
    validity = forms.ChoiceField(label="有效性", required=False, choices=VALIDITY_CHOICES, widget=QuickSelect)
    order = forms.ChoiceField(label="排序", required=False, choices=list(ORDERS.items()), widget=QuickSelect)
    page = forms.IntegerField(label="页码", required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, choices in filter_choices().items():
            self.fields[name].choices = choices


@dataclass
class PortalQuery:
    text: str = ""
    text_given: bool = False  # the q parameter was present (even if empty)
    filters: Filters = field(default_factory=Filters)
    include_children: bool = True
    order: str = "relevance"
    page: int = 1
    messages: list[str] = field(default_factory=list)
    params: dict[str, str] = field(default_factory=dict)  # canonical, without empty values
    labels: dict[str, str] = field(default_factory=dict)  # what each chosen filter is called

    def querystring(self, *, drop=(), **changes) -> str:
        """'?…' for these parameters with `changes` applied; a change to a filter
        resets the page. A value of None removes the parameter."""
        params = dict(self.params)
        for name in drop:
            params.pop(name, None)
        if changes and "page" not in changes:
            params.pop("page", None)
        for name, value in changes.items():
            if value is None or value == "":
                params.pop(name, None)
            else:
                params[name] = str(value)
        ordered = [(name, params[name]) for name in PARAMS if name in params]
        return "?" + urlencode(ordered) if ordered else "?"

    def form(self) -> FilterForm:
        """A form showing what is in effect (invalid values already dropped)."""
        data = {k: v for k, v in self.params.items() if k != "page"}
        data.setdefault("sub", "1" if self.include_children else "0")
        data.setdefault("order", self.order)
        form = FilterForm(data)
        form.is_valid()
        return form

    @property
    def active_filters(self) -> list[tuple[str, str, str]]:
        """(label, value, link that removes it) for each filter in effect."""
        out = []
        for name in ("org", "topic", "genre", "year", "year_from", "year_to", "validity"):
            if name in self.params:
                drop = ("sub",) if name == "org" else ()
                out.append((FilterForm.base_fields[name].label, self.labels.get(name, self.params[name]),
                            self.querystring(drop=drop, **{name: None})))
        return out

    @property
    def has_filters(self) -> bool:
        return any(name in self.params for name in ("org", "topic", "genre", "year", "year_from", "year_to", "validity"))


def read_query(data: QueryDict | dict) -> PortalQuery:
    """Validate a query string into a PortalQuery. Never raises on input."""
    # Trim (and drop NUL characters) before validating; "?org=" means "all".
    data = {name: str(data.get(name)).replace("\x00", "").strip() for name in PARAMS if data.get(name) is not None}
    text_given = "q" in data
    form = FilterForm({k: v for k, v in data.items() if v != ""})
    form.is_valid()
    clean = {name: value for name, value in form.cleaned_data.items() if value not in (None, "")}
    query = PortalQuery(text_given=text_given)

    for name in form.errors:
        if name == "page":
            query.messages.append("页码无效，已显示第 1 页。")
        else:
            query.messages.append(f"筛选条件“{form.fields[name].label}”的值无效，已忽略。")

    text = clean.get("q", "")
    if len(text) > MAX_QUERY_CHARS:
        query.messages.append(f"检索词过长，只按前 {MAX_QUERY_CHARS} 个字检索。")
        text = text[:MAX_QUERY_CHARS]
    query.text = text

    params: dict[str, str] = {}
    if text:
        params["q"] = text
    filters = Filters()
    query.include_children = clean.get("sub", "1") != "0"
    if "org" in clean:
        org_id = clean["org"]
        filters.organisation_ids = descendant_ids([org_id]) if query.include_children else {org_id}
        params["org"] = str(org_id)
        if not query.include_children:
            params["sub"] = "0"
        query.labels["org"] = dict(form.fields["org"].choices)[str(org_id)].strip(INDENT)
        if not query.include_children:
            query.labels["org"] += "（仅本机构）"
    if "topic" in clean:
        filters.topic_ids = topic_descendant_ids([clean["topic"]])
        params["topic"] = str(clean["topic"])
        query.labels["topic"] = dict(form.fields["topic"].choices)[str(clean["topic"])].strip(INDENT)
    if "genre" in clean:
        filters.genre_ids = {clean["genre"]}
        params["genre"] = str(clean["genre"])
        query.labels["genre"] = dict(form.fields["genre"].choices)[str(clean["genre"])]
    if "year" in clean:
        filters.year_from = filters.year_to = clean["year"]
        params["year"] = str(clean["year"])
        query.labels["year"] = f"{clean['year']}年"
    else:
        year_from, year_to = clean.get("year_from"), clean.get("year_to")
        if year_from and year_to and year_from > year_to:
            year_from, year_to = year_to, year_from
            query.messages.append("起始年份晚于截止年份，已对调。")
        filters.year_from, filters.year_to = year_from, year_to
        if year_from:
            params["year_from"] = str(year_from)
            query.labels["year_from"] = f"{year_from}年起"
        if year_to:
            params["year_to"] = str(year_to)
            query.labels["year_to"] = f"{year_to}年止"
    if "validity" in clean:
        filters.validity = "" if clean["validity"] == VALIDITY_UNMARKED else clean["validity"]
        params["validity"] = clean["validity"]
        query.labels["validity"] = dict(VALIDITY_CHOICES)[clean["validity"]]
    query.order = clean.get("order", "relevance")
    if query.order != "relevance":
        params["order"] = query.order
    query.page = clean.get("page", 1)
    if query.page != 1:
        params["page"] = str(query.page)
    query.filters = filters
    query.params = params
    return query
