"""Real-browser tests: Debian's Chromium driven by Playwright against a live server.

Chromium comes from the system (`apt-get install -y chromium`, done by .ci/run); where it
is missing these tests are skipped, loudly, like the PostgreSQL ones.
"""
import os
import re
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("VERSO_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update",
]

# Playwright's sync API keeps an event loop on the test's thread; the ORM calls the tests
# make around it are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        pytest.skip(f"needs Chromium at {CHROMIUM} (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


# Where a failed browser test leaves its screenshot (git-ignored); VERSO_E2E_SCREENSHOTS moves it (CI artifacts).
SCREENSHOTS = Path(os.environ.get("VERSO_E2E_SCREENSHOTS") or Path(__file__).parent / "screenshots")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item, so a fixture's teardown knows whether the test failed."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


@pytest.fixture
def page(browser, request):
    """A fresh browser tab; when the test fails, a full-page screenshot of where it stood is saved."""
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / (re.sub(r"[^\w.-]+", "_", request.node.nodeid) + ".png")
        try:
            page.screenshot(path=str(path), full_page=True)
            print(f"screenshot of the failed test: {path}")
        except Exception as exc:  # a crashed page must not hide the test's own failure
            print(f"no screenshot of the failed test ({exc})")
    context.close()


@pytest.fixture
def portal_login(page):
    """portal_login(live_server, "bloom", "password"): log in through the portal's login page."""

    def log_in(live_server, username: str, password: str) -> None:
        page.goto(f"{live_server.url}/portal/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(f"{live_server.url}/portal/")

    return log_in
