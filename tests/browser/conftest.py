"""Browser tests: Playwright drives Debian's Chromium (/usr/bin/chromium) against live_server."""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest


CHROMIUM = os.environ.get("GAIZAO_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def chromium() -> str:
    """The Chromium to drive; a missing one fails the browser tests (CI installs it), never skips them."""
    found = CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")
    if not found:
        pytest.fail(f"浏览器测试需要 Chromium，但 {CHROMIUM} 不存在，PATH 中也没有 chromium："
                    "请 apt-get install -y chromium fonts-noto-cjk，或用 GAIZAO_CHROMIUM 指向它。", pytrace=False)
    return found


@pytest.fixture(scope="session")
def browser():
    executable = chromium()
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
    # between page actions are ordinary synchronous calls, so allow them while it runs.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=executable, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--disable-quic"],
        )
        yield browser
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


class _Answering:
    """Counts the live server's requests not yet answered in full. The server shares the test's database
    connection; a request still running when the test's database is flushed holds its tables ("database
    table is locked" on SQLite), so a test ends only when the server is idle."""

    def __init__(self, app):
        self.app = app
        self.running = 0
        self.idle = threading.Condition()

    def __call__(self, environ, start_response):
        with self.idle:
            self.running += 1
        try:
            result = self.app(environ, start_response)
        except BaseException:
            self._done()
            raise
        return _Closing(result, self._done)

    def _done(self):
        with self.idle:
            self.running -= 1
            self.idle.notify_all()

    def wait(self, seconds: float) -> bool:
        with self.idle:
            return self.idle.wait_for(lambda: self.running == 0, timeout=seconds)


class _Closing:
    """A response's body, passed through; its close (which the WSGI server calls, answered or broken off)
    also marks the request done."""

    def __init__(self, result, done):
        self.result, self.done = result, done

    def __iter__(self):
        return iter(self.result)

    def close(self):
        try:
            if hasattr(self.result, "close"):
                self.result.close()
        finally:
            self.done()


def _answering(live_server) -> _Answering:
    httpd = live_server.thread.httpd
    app = httpd.get_app()
    if not isinstance(app, _Answering):
        app = _Answering(app)
        httpd.set_app(app)
    return app


@pytest.fixture
def page(browser, request):
    answering = _answering(request.getfixturevalue("live_server")) if "live_server" in request.fixturenames else None
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()
    if answering is not None:
        assert answering.wait(30), "浏览器关闭 30 秒后，测试服务器仍在处理请求"


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def nav(page, name: str):
    """The menu's link named ``name``, its drop-down opened first when it sits in one (攻坚行动, 进度,
    台账, 系统); on a phone the collapsed menu is opened too."""
    menu = page.locator("#navbar-menu")
    toggler = page.locator(".navbar-toggler")
    if not menu.is_visible() and toggler.is_visible():
        toggler.click()
        # opened when the collapse has ended (its "show" class): until then the link may not be visible
        # yet, and would be looked for in a drop-down (failed once under load)
        page.locator("#navbar-menu.show").wait_for(state="visible")
    link = menu.get_by_role("link", name=name, exact=True).first
    if not link.is_visible():
        # hidden drop-down items are not in the accessibility tree: find the group by the item's text
        menu.locator("li.dropdown", has=page.locator(f"a.dropdown-item:text-is('{name}')")).locator(
            "[data-testid=menu-group]").click()
    return link
