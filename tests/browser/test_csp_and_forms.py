"""In a real Chromium: no page breaks the Content-Security-Policy, a refused form is
summarised at its top and a reload does not post it again, the invitation link copies."""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

import pytest
from playwright.sync_api import expect

from harken.core.actions import do_invite
from harken.core.demo import do_fill_demo
from harken.core.models import Member
from tests.browser.conftest import DESKTOP, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

#: Links a crawl must not follow: they change state or leave the signed-in session.
SKIP = ("/logout/", "/static/", "/health", "/export", "/download")
#: Enough for every page of the sample workspace and its detail pages.
MOST_PAGES = 120

WATCH_CSP = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " @" + e.sourceFile + ":" + e.lineNumber);
});
"""


@pytest.fixture
def watched(browser, live_server):
    """A desktop page that records every CSP violation and console error."""
    context = browser.new_context(viewport=DESKTOP, base_url=live_server.url)
    context.add_init_script(WATCH_CSP)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.viewport_name = "desktop"
    page.problems = []
    page.on(
        "console",
        lambda m: (
            page.problems.append(f"{page.url}: console {m.type}: {m.text}")
            if m.type == "error"
            else None
        ),
    )
    page.on("pageerror", lambda e: page.problems.append(f"{page.url}: error: {e}"))
    yield page
    context.close()


def _violations(page) -> list[str]:
    return [f"{page.url}: {v}" for v in page.evaluate("window.__csp || []")]


def _same_site_links(page, origin: str) -> list[str]:
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
    found = []
    for href in hrefs:
        url = urljoin(page.url, href).split("#")[0]
        parts = urlsplit(url)
        if f"{parts.scheme}://{parts.netloc}" != origin or any(s in parts.path for s in SKIP):
            continue
        found.append(url)
    return found


def test_no_page_breaks_the_content_security_policy(watched, alice, live_server):
    sample = do_fill_demo([alice])
    Member.objects.filter(user=alice, workspace=sample).update(last_opened="2030-01-01T00:00Z")
    owner = Member.objects.get(user=alice, workspace=sample)
    token = do_invite(sample, owner, "viewer")
    page, origin = watched, live_server.url
    # Signed out: the pages a stranger reaches.
    for path in ("/login/", "/password/reset/", f"/invite/{token}/", "/no-such-page/"):
        page.goto(path)
        assert not _violations(page), _violations(page)
    log_in(page, "alice")
    seen, queue, violations = set(), [f"{origin}/inbox/"], []
    while queue and len(seen) < MOST_PAGES:
        url = queue.pop(0)
        path = urlsplit(url)
        key = path.path + ("?" + path.query if path.query else "")
        if key in seen:
            continue
        seen.add(key)
        response = page.goto(url)
        assert response is not None and response.status < 500, (url, response and response.status)
        page.wait_for_load_state("networkidle")
        assert response.headers.get("content-security-policy"), url
        violations += _violations(page)
        queue += [u for u in _same_site_links(page, origin) if u not in queue]
    assert len(seen) >= 15, seen  # the crawl really walked the app
    assert not violations, "\n".join(violations)
    assert not [p for p in page.problems if "Content Security Policy" in p], page.problems


def test_a_refused_alert_rule_is_summarised_and_a_reload_does_not_post(page, alice):
    log_in(page, "alice")
    page.goto("/listening/alerts/new/")
    page.get_by_label("Name", exact=True).fill("Questions")  # the browser checks "required"
    page.get_by_label("Alert when").select_option("intent")
    page.get_by_label("Addresses").fill("not-an-address")  # only the server checks this
    page.get_by_role("button", name="Save").click()
    assert urlsplit(page.url).path == "/listening/alerts/new/"
    summary = page.locator("[data-form-errors]")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link", name="Email addresses")).to_be_visible()
    expect(summary).to_contain_text("not-an-address is not an email address.")
    # At the top of the 2,000-pixel form: seen without scrolling.
    assert summary.bounding_box()["y"] < page.viewport_size["height"]
    screenshot(page, "alert-rule-refused")
    summary.get_by_role("link", name="Email addresses").click()
    expect(page.get_by_label("Addresses")).to_be_focused()
    # A reload is a GET of the page: nothing is sent again and the form starts afresh.
    methods = []
    page.on(
        "request", lambda r: methods.append(r.method) if r.resource_type == "document" else None
    )
    page.reload()
    assert methods == ["GET"]
    expect(page.locator("[data-form-errors]")).to_have_count(0)


def test_the_invitation_link_copies(page, alice):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    log_in(page, "alice")
    page.goto("/settings/members/")
    page.get_by_role("button", name="Create invitation link").click()
    link = page.get_by_label("Invitation link")
    value = link.input_value()
    assert "/invite/" in value
    page.get_by_role("button", name="Copy link").click()
    expect(page.get_by_role("button", name="Copied ✓")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == value
    screenshot(page, "invitation-link")
