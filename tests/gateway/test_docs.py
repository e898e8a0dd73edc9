"""The OpenAPI page works offline and under the pages' Content-Security-Policy."""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.stack


def test_docs_page_renders_the_api_without_any_third_party_request(page, stack):
    requests, failed = [], []
    page.on("request", lambda r: requests.append(r.url))
    page.on("response", lambda r: r.status >= 400 and not r.url.endswith("/favicon.ico")
            and failed.append(f"{r.status} {r.url}"))
    page.goto(stack.settings.gateway_url + "/docs")
    expect(page.get_by_text("Assistant première porte — SPRO Centre-Val de Loire")).to_be_visible()
    expect(page.get_by_text("/api/conversations/{conversation_id}/messages").first).to_be_visible()
    own = urlsplit(stack.settings.gateway_url).netloc
    assert all(urlsplit(u).netloc == own for u in requests), requests
    assert failed == []
