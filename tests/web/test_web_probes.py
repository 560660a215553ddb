"""The probes that held when the app was attacked (issue 13), kept as tests: anonymous access to the new pages,
CSRF on them, framing, open redirects after sign-in, and path traversal through static files and briefs."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.anyio


async def test_account_and_audit_pages_need_a_sign_in(browser, newsroom) -> None:
    for path in ["/account", "/account/password", "/admin/audit"]:
        response = await browser.get(path)
        assert response.status_code == 303 and response.headers["location"].startswith("/login?next="), path
    for path in ["/account/password", "/account/sign-out-everywhere", "/account/sessions/1/end"]:
        assert (await browser.post(path)).status_code in (303, 403), path  # the visitor's token: no session


async def test_no_page_may_be_framed(browser, newsroom) -> None:
    await browser.sign_in("admin")
    for path in ["/login", "/account", "/admin/audit", "/docs", "/feed.atom", "/static/app.css"]:
        response = await browser.get(path)
        assert response.headers["x-frame-options"] == "DENY", path
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"], path


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example/x",
        "https://evil.example/",
        "/\\evil.example",
        "\\\\evil.example",
        "javascript:alert(1)",
        " //evil.example",
        "\t/evil",
    ],
)
async def test_sign_in_never_redirects_off_site(browser, newsroom, target) -> None:
    await browser.get("/login")
    response = await browser.post(
        "/login", {"email": "editor@example.org", "password": "correct horse battery", "next": target}
    )
    assert response.status_code == 303 and response.headers["location"] == "/inbox"


@pytest.mark.parametrize(
    "path",
    [
        "/static/../app.py",
        "/static/%2e%2e/app.py",
        "/static/..%2fapp.py",
        "/static/%2e%2e%2f%2e%2e%2fsettings.py",
        "/static/docs/../../web/auth.py",
        "/static/docs/%2e%2e/core.py",
        "/static//etc/passwd",
        "/static/%2fetc%2fpasswd",
        "/briefs/1/..%2f..%2fapp.py",
    ],
)
async def test_no_path_reaches_outside_the_static_folders(browser, newsroom, path) -> None:
    response = await browser.client.get(path)
    assert response.status_code in (301, 404), (path, response.status_code)
    assert "import" not in response.text and "root:" not in response.text
