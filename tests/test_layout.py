"""The page frame: nothing from outside, static files served, navigation by role, phones."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

URL_ATTRIBUTES = {"src", "href", "action", "formaction", "srcset", "poster", "data", "manifest", "background"}
CSS_URL = re.compile(r"""url\(\s*(['"]?)(.*?)\1\s*\)""")
CYRILLIC = re.compile(r"[А-Яа-яЁё]")
IMPORT = re.compile(r"""@import\s+(['"])(.*?)\1""")
REQUIRED_STATIC = (
    "/static/bootstrap/css/bootstrap.min.css",
    "/static/css/app.css",
    "/static/django_htmx/htmx-2.min.js",
)


class _PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.stylesheets: list[str] = []
        self.scripts: list[str | None] = []
        self.inline_script_bodies: list[str] = []
        self.style_elements = 0
        self.inline_handlers: list[str] = []
        self.style_attributes: list[str] = []
        self.nav_links: list[str] = []
        self.metas: list[dict[str, str | None]] = []
        self._in_script = False
        self._in_nav = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        for name, value in attrs:
            if value is None:
                continue
            if name in URL_ATTRIBUTES:
                urls = [u.strip().split()[0] for u in value.split(",") if u.strip()] if name == "srcset" else [value]
                self.urls.extend(urls)
            if name.startswith("on"):
                self.inline_handlers.append(f"<{tag} {name}>")
            if name == "style":
                self.style_attributes.append(value)
        if tag == "link" and "stylesheet" in (attributes.get("rel") or "").split():
            self.stylesheets.append(attributes["href"] or "")
        if tag == "script":
            self.scripts.append(attributes.get("src"))
            self._in_script = True
        if tag == "style":
            self.style_elements += 1
        if tag == "meta":
            self.metas.append(attributes)
        if tag == "nav":
            self._in_nav += 1
        if tag == "a" and self._in_nav and attributes.get("href"):
            self.nav_links.append(attributes["href"] or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False
        if tag == "nav":
            self._in_nav -= 1

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.inline_script_bodies.append(data.strip())


def _parse(response) -> _PageParser:
    parser = _PageParser()
    parser.feed(response.content.decode())
    parser.close()
    return parser


def _is_local(url: str) -> bool:
    """Relative, or absolute on our own host; data: and fragment-only URLs never leave the page."""
    if url.startswith(("#", "data:")):
        return True
    parts = urlsplit(url)
    if parts.scheme in {"javascript", "mailto", "tel"}:
        return False
    return not parts.netloc or parts.netloc == "testserver"


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.fixture
def pages(world, client_for):
    """The pages whose frame is checked: the login page and the homes of the roles."""
    return {
        "login": Client().get(reverse("login")),
        "teacher home": client_for("teacher").get(reverse("home")),
        "parent home": client_for("parent").get(reverse("home")),
        "administrator home": client_for("administrator").get(reverse("home")),
        "teacher course": client_for("teacher").get(reverse("journal:course_detail", args=[world.math_5a.pk])),
    }


def test_pages_reference_no_external_url(pages):
    for name, response in pages.items():
        assert response.status_code == 200, name
        parser = _parse(response)
        assert parser.urls, name
        external = [u for u in parser.urls if not _is_local(u)]
        assert external == [], f"{name}: {external}"


def test_linked_stylesheets_load_nothing_from_outside(pages):
    client = Client()
    for name, response in pages.items():
        for href in _parse(response).stylesheets:
            css_response = client.get(href)
            assert css_response.status_code == 200, href
            css = _body(css_response).decode()
            references = [m.group(2) for m in CSS_URL.finditer(css)] + [m.group(2) for m in IMPORT.finditer(css)]
            external = [u for u in references if not _is_local(u)]
            assert external == [], f"{name} {href}: {external}"
            for ref in references:
                if not ref.startswith(("data:", "#")):
                    target = urljoin(href, ref)
                    assert client.get(target).status_code == 200, f"{href} → {target}"


def test_referenced_static_files_are_served(pages):
    assert settings.WHITENOISE_USE_FINDERS  # served from the apps, no collectstatic outside production
    client = Client()
    html = pages["login"].content.decode()
    for path in REQUIRED_STATIC:
        assert path in html

    referenced = {
        urlsplit(url).path for response in pages.values() for url in _parse(response).urls if "/static/" in url
    }
    assert set(REQUIRED_STATIC) <= referenced
    for path in sorted(referenced):
        response = client.get(path)
        assert response.status_code == 200, path
        assert len(_body(response)) > 100, path


def test_htmx_is_version_2(pages):
    response = Client().get("/static/django_htmx/htmx-2.min.js")
    assert b'version:"2.' in _body(response).replace(b" ", b"")


def test_pages_have_no_inline_scripts_or_styles_the_csp_would_block(pages):
    for name, response in pages.items():
        parser = _parse(response)
        assert parser.scripts, name
        assert all(parser.scripts), f"{name}: a <script> without src"
        assert parser.inline_script_bodies == [], name
        assert parser.inline_handlers == [], name
        assert parser.style_elements == 0, name
        assert parser.style_attributes == [], name


def test_pages_have_the_viewport_meta_tag_for_phones(pages):
    for name, response in pages.items():
        viewports = [m for m in _parse(response).metas if m.get("name") == "viewport"]
        assert len(viewports) == 1, name
        content = viewports[0]["content"] or ""
        assert "width=device-width" in content
        assert "initial-scale=1" in content
        assert "user-scalable=no" not in content  # zooming stays possible


# --- Navigation by role ----------------------------------------------------------

COURSES = "/courses/"
CLASSES = "/classes/"
ADMINISTRATION = "/admin/"


def _nav(client: Client) -> set[str]:
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return set(_parse(response).nav_links)


def test_teacher_sees_courses_and_classes_but_not_administration(client_for):
    nav = _nav(client_for("teacher"))

    assert {COURSES, CLASSES} <= nav
    assert ADMINISTRATION not in nav


def test_teacher_navigation_is_labelled_in_russian(client_for):
    html = client_for("teacher").get(reverse("home")).content.decode()

    labels = {href: text for href, text in re.findall(r'class="nav-link[^"]*" href="([^"]+)">([^<]+)</a>', html)}
    assert CYRILLIC.search(labels[COURSES])
    assert CYRILLIC.search(labels[CLASSES])


def test_administrator_sees_administration(client_for):
    nav = _nav(client_for("administrator"))

    assert ADMINISTRATION in nav
    assert {COURSES, CLASSES} <= nav


@pytest.mark.parametrize("persona", ["deputy", "director"])
def test_school_leaders_see_courses_and_classes_but_not_administration(client_for, persona):
    nav = _nav(client_for(persona))

    assert {COURSES, CLASSES} <= nav
    assert ADMINISTRATION not in nav


@pytest.mark.parametrize("persona", ["parent", "student"])
def test_families_see_neither_courses_nor_classes(client_for, persona):
    nav = _nav(client_for(persona))

    assert reverse("home") in nav
    assert COURSES not in nav
    assert CLASSES not in nav
    assert ADMINISTRATION not in nav


def test_anonymous_visitor_sees_no_sections(db):
    nav = set(_parse(Client().get(reverse("login"))).nav_links)

    assert nav <= {reverse("home")}
