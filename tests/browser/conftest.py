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
