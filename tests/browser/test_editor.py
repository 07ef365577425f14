"""The drafting form's rich-text editor in Chromium: a drafter opens the new
document form, the editor (Jodit, vendored) replaces the body's textarea
with a Chinese toolbar limited to what the sanitiser keeps, Word and WPS
HTML pasted into it comes out clean, and the saved document keeps headings,
lists and tables. Everything loads from the test server (the site's
Content-Security-Policy allows only 'self'). Without JavaScript the same
form is a plain textarea that saves HTML. Screenshots at 1280 and 390 px:
/tmp/screens/editor-1280.png and editor-390.png."""

import os
import re
from pathlib import Path

import pytest

from gongkai.catalog.models import Document
from tests.browser.conftest import sign_in
from tests.catalog.test_sanitiser import WORD_HTML, WPS_HTML

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENS = Path(os.environ.get("GONGKAI_SCREENS", "/tmp/screens"))
EDITOR = ".rich-text-editor"
AREA = ".rich-text-editor .jodit-wysiwyg"
JUNK = ("mso-", "Mso", "class=", "style=", "<span", "o:p", "<font", "<!--", "supportLists", "lang=", "<h1")


def unexpected_errors(page) -> list[str]:
    """Every console error. The two style attributes Jodit sets itself are
    allowed by hash on this page (portal.middleware.EDITOR_STYLES), so a CSP
    report here means something else inline was blocked."""
    return list(page.console_errors)


def paste_html(page, html: str) -> bool:
    """A real paste event, as the browser fires it on Ctrl+V: a ClipboardEvent
    'paste' whose DataTransfer holds text/html (and text/plain). Chromium lets
    a page build such an event and Jodit handles it as a real paste (it is
    not ignored), so no Jodit API is needed. The caret goes to the end of the
    body first. Returns whether the default action was prevented (the editor
    took the paste)."""
    page.locator(AREA).focus()
    return page.evaluate(
        """([html, text]) => {
            const area = document.querySelector('.rich-text-editor .jodit-wysiwyg');
            const range = document.createRange();
            range.selectNodeContents(area);
            range.collapse(false);
            getSelection().removeAllRanges();
            getSelection().addRange(range);
            const data = new DataTransfer();
            data.setData('text/html', html);
            data.setData('text/plain', text);
            const event = new ClipboardEvent('paste', {clipboardData: data, bubbles: true, cancelable: true});
            document.querySelector('.rich-text-editor .jodit-wysiwyg').dispatchEvent(event);
            return event.defaultPrevented;
        }""",
        [html, re.sub(r"<[^>]+>", "", html)],
    )


def fill_catalogue(page, title: str) -> None:
    page.get_by_label("发布机构").select_option(label="西昌市人民政府")
    page.get_by_label("标题").fill(title)


def flat(html: str) -> str:
    return re.sub(r">\s+<", "><", html)


def test_editor_pastes_word_clean_and_saves(page, live_server, org_tree, make_user):
    base = live_server.url
    make_user("qicao", (org_tree["county"], "drafter"))
    sign_in(page, base, "qicao")
    response = page.goto(base + "/staff/documents/new/")
    csp = response.headers["content-security-policy"]
    assert "script-src 'self';" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp

    # The editor replaces the textarea: Chinese toolbar, only the kept formats.
    page.locator(EDITOR).wait_for()
    textarea = page.locator("textarea[name=body_html]")
    assert textarea.get_attribute("data-rich-text") is not None and not textarea.is_visible()
    toolbar = page.locator(f"{EDITOR} .jodit-toolbar__box")
    buttons = toolbar.locator(".jodit-toolbar-button").evaluate_all("els => els.map(e => e.dataset.ref)")
    assert buttons == ["paragraph", "bold", "italic", "underline", "ul", "ol", "table", "link",
                       "undo", "redo", "eraser", "source"], buttons
    assert toolbar.locator("button[aria-label='粗体']").count() == 1  # the zh_cn interface
    assert not page.locator(f"{EDITOR} .jodit-toolbar-button_image, {EDITOR} .jodit-toolbar-button_file").count()
    # The label names the editing area, as it named the textarea (get_by_label finds it).
    area = page.get_by_label("正文")
    assert area.get_attribute("contenteditable") == "true"
    assert "_helptext" in (area.get_attribute("aria-describedby") or "")
    # The attachment limits are stated on the page, where the file is chosen.
    assert "单个文件不超过" in page.locator("#id_attachment_helptext").inner_text()
    assert page.locator("#id_attachment_helptext").is_visible()

    # Paste from Word: taken by the editor, cleaned without asking (no dialog).
    assert paste_html(page, WORD_HTML)
    assert not page.locator(".jodit-dialog__panel").is_visible()
    shown = flat(page.locator(AREA).inner_html())
    assert [j for j in JUNK if j in shown] == [], shown
    assert "<h2>关于做好2024年政务公开工作的通知</h2>" in shown
    assert "<ol><li>加强组织领导<ol><li>明确分管负责人</li></ol></li><li>按时报送材料</li></ol>" in shown, shown
    assert "<ul><li>附件须为PDF格式</li></ul>" in shown
    assert 'rowspan="2"' in shown and 'colspan="2"' in shown
    assert "7月10日前" in shown

    # And from WPS, after it.
    assert paste_html(page, WPS_HTML)
    shown = flat(page.locator(AREA).inner_html())
    assert [j for j in JUNK if j in shown] == [], shown
    assert "<ol><li>主动公开</li><li>依申请公开</li></ol>" in shown and 'colspan="3"' in shown

    # Screenshots of the form with the editor, wide and narrow: the toolbar fits at 390 px.
    SCREENS.mkdir(parents=True, exist_ok=True)
    for width, height in ((1280, 900), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.evaluate("document.getElementById('id_body_html_label').scrollIntoView()")  # the label, then the editor
        page.screenshot(path=str(SCREENS / f"editor-{width}.png"))
        box, bar = page.locator(EDITOR).bounding_box(), toolbar.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, (width, box)
        assert bar["x"] + bar["width"] <= box["x"] + box["width"] + 1, (width, bar, box)
        last = toolbar.locator(".jodit-toolbar-button").last.bounding_box()
        assert last["x"] + last["width"] <= width, (width, last)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.set_viewport_size({"width": 1280, "height": 900})

    fill_catalogue(page, "关于做好2024年政务公开工作的通知")
    page.get_by_role("button", name="保存草稿").click()
    assert page.locator("h1").inner_text() == "关于做好2024年政务公开工作的通知"

    doc = Document.objects.get(title="关于做好2024年政务公开工作的通知")
    body = flat(doc.body)
    assert [j for j in JUNK if j in body] == [], body
    assert "<h2>关于做好2024年政务公开工作的通知</h2>" in body and "<h3>（一）报送时间</h3>" in body
    assert "<ol><li>加强组织领导<ol><li>明确分管负责人</li></ol></li><li>按时报送材料</li></ol>" in body
    assert "<ul><li>附件须为PDF格式</li></ul>" in body and "<ol><li>主动公开</li><li>依申请公开</li></ol>" in body
    assert re.search(r'<td rowspan="2"><p>单位</p></td><td colspan="2">', body), body
    on_page = flat(page.locator(".doc-body").inner_html())
    assert "<h2>关于做好2024年政务公开工作的通知</h2>" in on_page and "<ol><li>加强组织领导" in on_page
    assert 'colspan="2"' in on_page and "mso-" not in on_page and "class=" not in on_page

    # Nothing came from anywhere but the test server; no console error but the known CSP report.
    assert page.requests and all(url.startswith(base) for url in page.requests), \
        [u for u in page.requests if not u.startswith(base)]
    assert unexpected_errors(page) == [], [re.findall(r"sha256-[^']+", e) for e in unexpected_errors(page)]


def test_editor_formats_typed_text_and_keeps_the_source_view_offline(page, live_server, org_tree, make_user):
    base = live_server.url
    make_user("qicao", (org_tree["county"], "drafter"))
    sign_in(page, base, "qicao")
    page.goto(base + "/staff/documents/new/")
    # What another test does on this page (tests/browser/test_workflow.py): fill the body by its label.
    page.get_by_label("正文").fill("第一条 为规范临时救助工作，制定本办法。")
    # A heading from the format list, typed text in bold.
    page.locator(f"{EDITOR} .jodit-toolbar-button_paragraph .jodit-toolbar-button__trigger").click()
    formats = page.locator(".jodit-popup .jodit-toolbar-button")
    formats.first.wait_for()
    # only the formats the sanitiser keeps (no h1, quote or code block), and no stray focus-helper box
    assert formats.evaluate_all("els => els.map(e => e.dataset.ref)") == ["p", "h2", "h3", "h4"]
    assert formats.evaluate_all("els => els.map(e => e.innerText.trim())") == ["正文段落", "二级标题", "三级标题", "四级标题"]
    assert not page.locator(".jodit-popup input").first.is_visible()
    page.locator(".jodit-popup .jodit-toolbar-button_h2").click()
    page.keyboard.press("End")
    page.keyboard.press("Enter")
    page.locator(f"{EDITOR} .jodit-toolbar-button_bold button").click()
    page.keyboard.type("加粗的文字")
    # The link form: address and text only (no class name, no new-tab or nofollow switches).
    page.locator(f"{EDITOR} .jodit-toolbar-button_link button").click()
    link_form = page.locator(".jodit-popup form")
    link_form.wait_for()
    assert link_form.locator("input:visible").evaluate_all("els => els.map(e => e.name)") == ["url", "content"]
    page.keyboard.press("Escape")
    # The source view is the editor's own textarea, loaded from nowhere.
    page.locator(f"{EDITOR} .jodit-toolbar-button_source button").click()
    source = page.locator(f"{EDITOR} .jodit-source textarea")
    source.wait_for()
    assert "<h2>第一条" in source.input_value() and "<strong>加粗的文字</strong>" in source.input_value()
    page.locator(f"{EDITOR} .jodit-toolbar-button_source button").click()

    fill_catalogue(page, "编辑器格式测试")
    page.get_by_role("button", name="保存草稿").click()
    assert page.locator("h1").inner_text() == "编辑器格式测试"
    body = Document.objects.get(title="编辑器格式测试").body
    assert "<h2>第一条 为规范临时救助工作，制定本办法。</h2>" in body and "<strong>加粗的文字</strong>" in body
    assert all(url.startswith(base) for url in page.requests), [u for u in page.requests if not u.startswith(base)]
    assert unexpected_errors(page) == [], [re.findall(r"sha256-[^']+", e) for e in unexpected_errors(page)]


def test_form_works_without_javascript(chromium, live_server, org_tree, make_user):
    base = live_server.url
    make_user("qicao", (org_tree["county"], "drafter"))
    context = chromium.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}, java_script_enabled=False)
    page = context.new_page()
    try:
        sign_in(page, base, "qicao")
        page.goto(base + "/staff/documents/new/")
        textarea = page.get_by_label("正文")
        assert textarea.evaluate("e => e.tagName") == "TEXTAREA" and textarea.is_visible()
        assert page.locator(EDITOR).count() == 0
        assert "单个文件不超过" in page.locator("#id_attachment_helptext").inner_text()
        textarea.fill(WORD_HTML)  # raw HTML typed or pasted as source: the server cleans it
        fill_catalogue(page, "无脚本起草测试")
        page.get_by_role("button", name="保存草稿").click()
        assert page.locator("h1").inner_text() == "无脚本起草测试"
        body = flat(Document.objects.get(title="无脚本起草测试").body)
        assert [j for j in JUNK if j in body] == [], body
        assert "<h2>关于做好2024年政务公开工作的通知</h2>" in body and "<ul><li>附件须为PDF格式</li></ul>" in body
        assert 'rowspan="2"' in body and "<h2>关于做好" in page.locator(".doc-body").inner_html()
    finally:
        context.close()
