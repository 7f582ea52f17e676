"""Real-browser tests: Debian's Chromium driven by Playwright against a live server.

Chromium comes from the system (`apt-get install -y chromium`, done by .ci/run); where it
is missing these tests are skipped, loudly, like the PostgreSQL ones.
"""
import os
import shutil

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


@pytest.fixture
def page(browser):
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()
