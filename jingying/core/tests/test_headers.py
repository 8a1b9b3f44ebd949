import pytest

pytestmark = pytest.mark.django_db


def test_login_page_sends_csp_without_inline_script(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert response.headers["X-Frame-Options"] == "DENY"


def test_pages_require_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/accounts/login/")


def test_api_answers_401_json_not_a_redirect(client):
    response = client.get("/api/v1/org/units")
    assert response.status_code in (401, 404)  # 404 until the units route exists
    assert response.headers["Content-Type"].startswith("application/json") or response.status_code == 404
