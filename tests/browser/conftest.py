"""Headless Chromium from Debian's packages, driven by Playwright (no browser
download). Outside CI the browser tests skip when /usr/bin/chromium is
missing; in CI (CI=true) a missing browser is a failure."""

import os
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("GONGKAI_CHROMIUM", "/usr/bin/chromium"))
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Playwright's sync API keeps an event loop in the test thread; the test's own
# ORM calls are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def chromium():
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CHROMIUM} is missing: .ci/run installs Debian's chromium package")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium, live_server):
    """A fresh page that records every request (to prove nothing loads from
    outside) and every console error."""
    context = chromium.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.requests = []
    page.console_errors = []  # console errors (CSP violations land here) and uncaught page errors
    page.on("request", lambda request: page.requests.append(request.url))
    page.on("console", lambda message: message.type == "error" and page.console_errors.append(message.text))
    page.on("pageerror", lambda error: page.console_errors.append(str(error)))
    page.set_default_timeout(15000)
    yield page
    context.close()


PASSWORD = "correct-horse-battery-9"  # what tests/conftest.py's make_user gives every user


def sign_in(page, base: str, username: str) -> None:
    """Sign in through the staff login form, as a person would."""
    page.context.clear_cookies()
    page.goto(base + "/staff/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    assert page.locator("h1").inner_text() == "工作台", page.content()[:2000]


SCREENS = Path(os.environ.get("GONGKAI_SCREENS", "/tmp/screens"))  # outside the repository, for a person to check
WIDTHS = ((1280, 900), (390, 844))

# The elements that stick out past the window's right edge, outside any box
# that scrolls or clips them (a wide table in an overflow-x container is fine).
_OVERFLOWING = """() => {
  const width = document.documentElement.clientWidth, found = [];
  for (const el of document.querySelectorAll('body *')) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.right <= width + 1) continue;
    let up = el.parentElement, contained = false;
    for (; up && up !== document.body; up = up.parentElement) {
      if (['auto', 'scroll', 'hidden'].includes(getComputedStyle(up).overflowX)) { contained = true; break; }
    }
    if (!contained) found.push(`${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}` +
                                `${el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : ''}` +
                                ` (right edge ${Math.round(box.right)} px)`);
  }
  return found.slice(0, 8);
}"""


# Filter rows (form.search-row): each label on the same line as its control.
_LABELS_APART = """() => [...document.querySelectorAll('form.search-row label[for]')].flatMap(label => {
  const control = document.getElementById(label.htmlFor);
  if (!control || control.type === 'hidden') return [];
  const a = label.getBoundingClientRect(), b = control.getBoundingClientRect();
  const apart = Math.abs((a.top + a.bottom) / 2 - (b.top + b.bottom) / 2) > Math.max(a.height, b.height) / 2;
  return apart ? [label.textContent.trim()] : [];
})"""


def shoot(page, name: str) -> None:
    """A full-page screenshot at 1280 and 390 wide (back at 1280 after), and
    at each width nothing sticks out sideways and every filter label is on
    its control's line: a page that scrolls sideways on a phone fails here,
    not only on a person's look at the screenshot."""
    SCREENS.mkdir(parents=True, exist_ok=True)
    try:
        for width, height in WIDTHS:
            page.set_viewport_size({"width": width, "height": height})
            page.screenshot(path=str(SCREENS / f"{name}-{width}.png"), full_page=True)
            overflowing = page.evaluate(_OVERFLOWING)
            assert not overflowing, f"{name} at {width} px: wider than the window: {overflowing}"
            apart = page.evaluate(_LABELS_APART)
            assert not apart, f"{name} at {width} px: filter labels not beside their controls: {apart}"
    finally:
        page.set_viewport_size({"width": 1280, "height": 900})
