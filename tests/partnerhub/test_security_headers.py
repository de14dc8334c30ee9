"""Django's Content Security Policy is on every HTML page, and it allows no inline or eval'd script."""

import pytest
from django.test import Client

from tests.conftest import login
from tests.isolation import url_patterns
from tests.partnerhub.test_isolation import objects_of

PUBLIC_VALUES = {"token": "no-such-token", "uidb64": "MQ", "org_slug": None}


@pytest.fixture
def owner_of_org(org, owner):
    return login(Client(), owner)


def html_responses(client, objects):
    for route in url_patterns():
        values = {param: objects.get(param, PUBLIC_VALUES.get(param)) for param in route.params}
        response = client.get(route.build(values), follow=True)
        if response.headers.get("Content-Type", "").startswith("text/html"):
            yield route, response


def test_every_html_page_carries_a_strict_csp(org, owner_of_org):
    objects = objects_of(org)
    checked = 0
    for route, response in html_responses(owner_of_org, objects):
        policy = response.headers.get("Content-Security-Policy", "")
        assert "script-src 'self'" in policy, route.name
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, route.name
        assert "frame-ancestors 'none'" in policy, route.name
        checked += 1
    assert checked >= 20


def test_pages_have_no_inline_script_or_style(org, owner_of_org):
    objects = objects_of(org)
    for route, response in html_responses(owner_of_org, objects):
        html = response.content.decode()
        assert "<script>" not in html and " style=" not in html and "onclick=" not in html, route.name


def test_htmx_is_configured_without_eval(owner_client, org):
    html = owner_client.get(f"/o/{org.slug}/").content.decode()
    assert '"allowEval": false' in html and '"includeIndicatorStyles": false' in html
    assert "/static/vendor/htmx-2.0.11.min.js" in html
