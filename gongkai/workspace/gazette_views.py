"""Staff pages of the gazette (政府公报): the list of issues, a new issue,
and one issue's page (its numbers, its table of contents picked from the
organisation's published documents, the printed PDF, publication). The
services in gongkai.catalog.gazette check permissions (EDIT in the issue's
organisation) and write with audit entries; these views read the input and
render."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from gongkai.catalog import gazette
from gongkai.catalog.gazette import ContentItem
from gongkai.catalog.models import GazetteIssue
from gongkai.core import permissions
from gongkai.core.models import Organisation
from gongkai.portal.gazette_views import pdf_response

from .auth import require, staff_view
from .pages import crumbs, errors_to_form

NO_GAZETTE = "只有政府公报主办机关的起草人和政务公开办管理员可以编辑政府公报。"


def _int_field(label: str, *, required: bool, min_value: int = 1, max_value: int = 100000, help_text: str = ""):
    return forms.IntegerField(
        label=label, required=required, min_value=min_value, max_value=max_value, help_text=help_text,
        error_messages={"required": f"请填写{label}。", "invalid": f"{label}必须是整数。",
                        "min_value": f"{label}不能小于{min_value}。", "max_value": f"{label}不能大于{max_value}。"},
    )


class IssueForm(forms.Form):
    name = forms.CharField(label="公报名称", max_length=100, required=False,
                           help_text="如：西昌市人民政府公报；不填则沿用上一期的名称",
                           error_messages={"max_length": "公报名称不能超过100字。"})
    year = _int_field("年份", required=True, min_value=1949, max_value=2999)
    number = _int_field("期号", required=True, max_value=999)
    number_to = _int_field("合刊末期号", required=False, max_value=999, help_text="合刊时填写，如第3-4期填4；单期不填")
    total_number = _int_field("总期号", required=False, help_text="如：总第738期填738")
    published_on = forms.DateField(label="出版日期", required=False, help_text="格式：2024-03-15",
                                   widget=forms.DateInput(attrs={"type": "date"}),
                                   error_messages={"invalid": "请按“2024-03-15”的格式填写出版日期。"})


class NewIssueForm(IssueForm):
    organisation = forms.ModelChoiceField(Organisation.objects.none(), label="主办机关", empty_label="请选择",
                                          error_messages={"required": "请选择主办机关。",
                                                          "invalid_choice": "请选择列表中的机关。"})
    field_order = ["organisation", "name", "year", "number", "number_to", "total_number", "published_on"]

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations if organisations is not None else Organisation.objects.none()


class PdfForm(forms.Form):
    pdf = forms.FileField(label="印刷版PDF", help_text="仅限PDF文件，不超过50 MB",
                          error_messages={"required": "请选择要上传的PDF文件。", "empty": "所选文件是空的。"})


def _list_crumb() -> tuple[str, str]:
    return ("政府公报", reverse("workspace:gazette_list"))


def _issue_or_404(user, pk: int) -> GazetteIssue:
    issue = gazette.staff_issues(user).filter(pk=pk).first()
    if issue is None:
        raise Http404("该期公报不存在或您无权查看。")
    return issue


@staff_view
def gazette_list(request):
    issues = gazette.staff_issues(request.user).order_by("organisation__sort_order", "organisation_id", "-year", "-number")
    return render(request, "workspace/gazette/list.html", {
        "issues": issues,
        "can_create": gazette.gazette_organisations(request.user).exists(),
        "crumbs": crumbs(("政府公报", "")),
    })


@staff_view
def gazette_new(request):
    user = request.user
    choosable = gazette.gazette_organisations(user)
    require(choosable.exists(), NO_GAZETTE)
    if request.method == "POST":
        # Any organisation is accepted here: the service refuses (403) one
        # where the user may not edit, and says which levels run a gazette.
        form = NewIssueForm(request.POST, organisations=Organisation.objects.all())
        if form.is_valid():
            data = dict(form.cleaned_data)
            organisation = data.pop("organisation")
            try:
                issue = gazette.issue_create(organisation, user=user, **data)
            except ValidationError as exc:
                errors_to_form(form, exc)
            else:
                messages.success(request, f"已创建{issue}，请编排目录后发布。")
                return redirect("workspace:gazette_issue", pk=issue.pk)
        form.fields["organisation"].queryset = choosable
    else:
        form = NewIssueForm(organisations=choosable,
                            initial={"organisation": choosable.first() if choosable.count() == 1 else None})
    return render(request, "workspace/gazette/new.html", {
        "form": form, "crumbs": crumbs(_list_crumb(), ("新建一期", "")),
    })


def _contents_rows(issue: GazetteIssue) -> list:
    return gazette.issue_entries(issue, public_only=False)


def _render_issue(request, issue: GazetteIssue, *, form=None, pdf_form=None, contents_errors=None, status=200):
    can_edit = permissions.can(request.user, permissions.EDIT, issue.organisation_id)
    query = (request.GET.get("q") or "").strip()[:100]
    entries = _contents_rows(issue)
    if form is None:
        form = IssueForm(initial={name: getattr(issue, name) for name in gazette.ISSUE_FIELDS})
    return render(request, "workspace/gazette/issue.html", {
        "issue": issue,
        "form": form,
        "pdf_form": pdf_form or PdfForm(),
        "entries": entries,
        "hidden_entries": [e for e in entries if not e.document.is_public],
        "candidates": gazette.candidate_documents(issue, query) if can_edit else [],
        "query": query,
        "sections": gazette.SECTIONS,
        "contents_errors": contents_errors or [],
        "can_edit": can_edit,
        "crumbs": crumbs(_list_crumb(), (issue.label, "")),
    }, status=status)


@staff_view
def gazette_issue(request, pk: int):
    issue = _issue_or_404(request.user, pk)
    if request.method != "POST":
        return _render_issue(request, issue)
    require(permissions.can(request.user, permissions.EDIT, issue.organisation_id), NO_GAZETTE)
    form = IssueForm(request.POST)
    if form.is_valid():
        data = dict(form.cleaned_data)
        if not data["name"]:
            del data["name"]  # kept as it is
        try:
            issue = gazette.issue_update(issue, user=request.user, **data)
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, f"已保存{issue}。")
            return redirect("workspace:gazette_issue", pk=issue.pk)
    issue.refresh_from_db()
    return _render_issue(request, issue, form=form)


def _read_contents(post, issue: GazetteIssue) -> tuple[list[ContentItem], list[str]]:
    """The table of contents as posted: the current rows (order, section,
    page, remove) sorted by their order numbers, then the documents ticked
    to add, in the order listed."""
    errors, rows = [], []
    current = {e.document_id: e for e in issue.entries.all()}
    for position, raw in enumerate(post.getlist("doc")):
        if not raw.isdigit() or int(raw) not in current:
            errors.append("目录已被他人修改，请刷新页面后重试。")
            continue
        doc_id = int(raw)
        if post.get(f"remove-{doc_id}"):
            continue
        order_text = (post.get(f"order-{doc_id}") or "").strip()
        page_text = (post.get(f"page-{doc_id}") or "").strip()
        if not (order_text.isascii() and order_text.isdigit() and len(order_text) <= 4):
            errors.append("顺序必须是不超过四位的整数。")
            continue
        if page_text and not (page_text.isascii() and page_text.isdigit() and len(page_text) <= 5):
            errors.append("页码必须是正整数。")
            continue
        section = (post.get(f"section-{doc_id}") or "").strip()
        rows.append((int(order_text), position, ContentItem(doc_id, section, int(page_text) if page_text else None)))
    rows.sort(key=lambda row: (row[0], row[1]))
    items = [item for _, _, item in rows]
    new_section = (post.get("new_section") or "").strip()
    for raw in post.getlist("add"):
        if not raw.isdigit():
            errors.append("所选文件不存在。")
            continue
        if int(raw) not in current:
            items.append(ContentItem(int(raw), new_section))
    return items, list(dict.fromkeys(errors))


@staff_view
@require_POST
def gazette_contents(request, pk: int):
    issue = _issue_or_404(request.user, pk)
    require(permissions.can(request.user, permissions.EDIT, issue.organisation_id), NO_GAZETTE)
    items, errors = _read_contents(request.POST, issue)
    if not errors:
        try:
            gazette.issue_set_contents(issue, items, user=request.user)
        except ValidationError as exc:
            errors = exc.messages
    if errors:
        return _render_issue(request, issue, contents_errors=errors, status=400)
    messages.success(request, f"目录已保存，共{len(items)}条。")
    return redirect(reverse("workspace:gazette_issue", args=[issue.pk]) + "#contents-heading")


@staff_view
@require_POST
def gazette_pdf(request, pk: int):
    issue = _issue_or_404(request.user, pk)
    require(permissions.can(request.user, permissions.EDIT, issue.organisation_id), NO_GAZETTE)
    if request.POST.get("remove"):
        gazette.issue_remove_pdf(issue, user=request.user)
        messages.success(request, "已删除印刷版PDF。")
        return redirect("workspace:gazette_issue", pk=issue.pk)
    form = PdfForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            gazette.issue_attach_pdf(issue, form.cleaned_data["pdf"], user=request.user)
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, "已上传印刷版PDF。")
            return redirect("workspace:gazette_issue", pk=issue.pk)
    return _render_issue(request, issue, pdf_form=form, status=400)


@staff_view
def gazette_pdf_file(request, pk: int):
    """The PDF as stored, for staff (also before the issue is published)."""
    issue = _issue_or_404(request.user, pk)
    if not issue.pdf:
        raise Http404("该期公报没有印刷版PDF。")
    return pdf_response(issue)


@staff_view
@require_POST
def gazette_publish(request, pk: int):
    issue = _issue_or_404(request.user, pk)
    require(permissions.can(request.user, permissions.EDIT, issue.organisation_id), NO_GAZETTE)
    unpublish = request.POST.get("action") == "unpublish"
    try:
        if unpublish:
            gazette.issue_unpublish(issue, user=request.user)
        else:
            gazette.issue_publish(issue, user=request.user)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, f"已撤下{issue}。" if unpublish else f"已发布{issue}，公众可在“政府公报”栏目查看。")
    return redirect("workspace:gazette_issue", pk=issue.pk)
