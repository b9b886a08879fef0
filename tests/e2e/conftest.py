"""Browser fixtures: Chromium through Playwright, on a phone-sized viewport.

Browser tests are marked ``@pytest.mark.browser``. They are skipped when
``/usr/bin/chromium`` is absent, unless ``ROK_REQUIRE_BROWSER=1`` (CI), which turns
a missing browser into a failure.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.live import live_server  # noqa: F401  (the fixture)

CHROMIUM = os.environ.get("ROK_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update",
                 "--no-first-run"]
PHONE = {"width": 390, "height": 844}
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
SHOTS = Path(os.environ.get("ROK_SCREENSHOTS", "/tmp/shots"))


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        if os.environ.get("ROK_REQUIRE_BROWSER") == "1":
            pytest.fail(f"ROK_REQUIRE_BROWSER=1 but {CHROMIUM} does not exist")
        pytest.skip(f"{CHROMIUM} is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM,
                                              args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def phone(browser):
    """Open a fresh browser context (a separate "device") with a phone viewport.

    ``phone(javascript=False)`` disables JavaScript; ``bypass_csp=True`` allows
    injecting axe-core. Every context is closed after the test.
    """
    contexts = []

    def _open(*, javascript: bool = True, bypass_csp: bool = False):
        context = browser.new_context(
            viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True,
            java_script_enabled=javascript, bypass_csp=bypass_csp, locale="nl-BE")
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield _open
    for context in contexts:
        context.close()


def screenshot(page, name: str) -> None:
    """Keep a screenshot for people to look at (/tmp/shots/respond-<name>.png)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"respond-{name}.png"), full_page=True)


def axe_violations(page, impacts=("serious", "critical")) -> list[dict]:
    """Run axe-core on the page; return the violations of the given impacts."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations']});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}));
    }""")
    return [v for v in result if v["impact"] in impacts]
