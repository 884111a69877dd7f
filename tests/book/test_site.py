"""The course website in a real browser: ``make test-book`` runs this (``.ci/run`` calls it).

It builds the site (``book/build.py``, into the git-ignored ``_build/book``), serves it on
127.0.0.1 and loads every page in headless Chromium (Debian's ``chromium`` package, driven by
Playwright). Each page must load with no console error and no request leaving this machine, every
formula must be typeset (no raw ``$...$``, ``\\(...\\)`` or ``\\[...\\]`` left in the text, no TeX
error), every image must have loaded (natural width > 0) and every link inside the site must
resolve, anchors included. Chapters must hide their solutions behind closed "Show solution"
toggles and show neither nbgrader's markers nor hidden checks. Every explorer animation in
``figures/`` (``NN_explore_*.gif``) must appear on its chapter's page, stay under about 2 MB and
play (its frames change while the page is open). A full-page screenshot of each page is saved to
``_build/book/screenshots/``.

Skipped unless ``BMLIB_TEST_BOOK=1`` (``make test-book`` sets it): building the site and driving a
browser would not fit in ``make test``'s time budget.
"""

import functools
import http.server
import os
import re
import shutil
import sys
import threading
import urllib.parse
from pathlib import Path

import pytest

if os.environ.get("BMLIB_TEST_BOOK") != "1":
    pytest.skip("the website's browser test runs with `make test-book`", allow_module_level=True)

from playwright.sync_api import sync_playwright  # noqa: E402  (installed by make test-book)

REPOSITORY = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPOSITORY / "book"))
sys.path.insert(0, str(REPOSITORY / "tools"))

import build  # noqa: E402
import course_map  # noqa: E402

SCREENSHOTS = build.BUILD / "screenshots"
CHAPTER_PAGES = [f"chapters/{stem}.html" for stem in course_map.CHAPTERS]
PAGES = ["index.html", *CHAPTER_PAGES, "search.html", "genindex.html"]

# Chromium as the machine's closed network needs it: no sync, updates or other background calls.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# TeX left untypeset in the text a reader sees (code blocks are taken out first).
RAW_TEX = re.compile(r"\$\$|\$[^$\n]{1,200}\$|\\\(|\\\)|\\\[|\\\]|\\begin\{")

VISIBLE_TEXT = """() => {
    const article = document.querySelector('main') || document.body;
    const copy = article.cloneNode(true);
    copy.querySelectorAll('pre, code, script, style, textarea, mjx-container, .highlight')
        .forEach(e => e.remove());
    return copy.textContent;
}"""

WAIT_FOR_MATHJAX_AND_IMAGES = """async () => {
    if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
        await MathJax.startup.promise;
    }
    const images = [...document.images];
    images.forEach(img => { img.loading = 'eager'; });
    await Promise.all(images.map(img => img.decode().catch(() => null)));
}"""

MATH_REPORT = """() => {
    const math = [...document.querySelectorAll('.math')];
    return {
        formulas: math.length,
        untypeset: math.filter(e => !e.querySelector('mjx-container')).map(e => e.textContent),
        errors: [...document.querySelectorAll('[data-mml-node="merror"]')].map(e => e.textContent),
    };
}"""

BROKEN_IMAGES = """() => [...document.images]
    .filter(img => !(img.complete && img.naturalWidth > 0)).map(img => img.src)"""

SOLUTION_TOGGLES = """() => [...document.querySelectorAll('details.hide')]
    .filter(d => d.querySelector('summary').textContent.includes('Show solution'))
    .map(d => ({open: d.open, visible: [...d.children].filter(c => c.tagName !== 'SUMMARY')
                                         .some(c => c.checkVisibility())}))"""


def _chromium():
    found = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    assert found, "no Chromium: install Debian's package (apt-get install chromium), as .ci/run does"
    return found


@pytest.fixture(scope="module")
def site():
    return build.build()


@pytest.fixture(scope="module")
def base_url(site):
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=site))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=_chromium(), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _ids(html):
    return set(re.findall(r"""\sid=["']([^"']+)["']""", html))


def _broken_links(site, base_url, page_name, hrefs):
    """Links into the site whose file or anchor does not exist."""
    broken = []
    for href in sorted(set(hrefs)):
        if not href.startswith(base_url):
            continue  # mailto:, the outside world: not ours to check here
        url = urllib.parse.urlsplit(href)
        relative = urllib.parse.unquote(url.path)[len(urllib.parse.urlsplit(base_url).path) :]
        target = site / relative
        if target.is_dir():
            target = target / "index.html"
        if not target.is_file():
            broken.append(f"{href} (no file {relative or '/'})")
        elif url.fragment and target.suffix == ".html":
            if url.fragment not in _ids(target.read_text(encoding="utf-8")):
                broken.append(f"{href} (no anchor #{url.fragment})")
    return broken


def test_the_site_has_the_landing_page_and_every_chapter(site):
    built = {str(path.relative_to(site)) for path in site.rglob("*.html") if "_static" not in path.parts}
    assert set(PAGES) == built, "every page the site has is loaded below, and only those"


@pytest.mark.parametrize("name", PAGES)
def test_page_loads_cleanly_in_chromium(name, site, base_url, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    problems, outside = [], []
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(f"uncaught: {error}"))
    page.on("requestfailed", lambda request: problems.append(f"request failed: {request.url}"))

    def only_this_machine(route):
        if route.request.url.startswith(base_url):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", only_this_machine)
    response = page.goto(base_url + name, wait_until="load")
    assert response is not None and response.ok, f"{name}: HTTP {response and response.status}"
    page.evaluate(WAIT_FOR_MATHJAX_AND_IMAGES)

    math = page.evaluate(MATH_REPORT)
    text = page.evaluate(VISIBLE_TEXT)
    raw = sorted(set(RAW_TEX.findall(text)))
    markers = [m for m in ("### BEGIN SOLUTION", "HIDDEN TESTS") if m in page.content()]
    broken_images = page.evaluate(BROKEN_IMAGES)
    links = _broken_links(site, base_url, name, page.evaluate("() => [...document.links].map(a => a.href)"))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    screenshot = SCREENSHOTS / (name.replace("/", "_").removesuffix(".html") + ".png")
    page.screenshot(path=screenshot, full_page=True)
    toggles = page.evaluate(SOLUTION_TOGGLES)
    if toggles:  # one click unfolds a solution
        page.locator("details.hide summary", has_text="Show solution").first.click()
        unfolded = page.evaluate(SOLUTION_TOGGLES)[0]
    page.close()

    assert not outside, f"{name} asked for files outside this machine: {outside[:5]}"
    assert not problems, f"{name}: {problems[:5]}"
    assert not math["untypeset"] and not math["errors"], f"{name}: {math}"
    assert not raw, f"{name}: TeX left untypeset in the text: {raw[:10]}"
    assert not markers, f"{name} shows nbgrader's markers or hidden checks: {markers}"
    assert not broken_images, f"{name}: images that did not load: {broken_images[:5]}"
    assert not links, f"{name}: links that do not resolve: {links[:5]}"
    if name in CHAPTER_PAGES:
        assert math["formulas"] > 0, f"{name} should have formulas"
        assert page_has_images(site, name), f"{name} should show its figures"
        assert toggles, f"{name}: no 'Show solution' toggle"
        assert not any(t["open"] or t["visible"] for t in toggles), f"{name}: a solution is shown unfolded"
        assert unfolded["open"] and unfolded["visible"], f"{name}: clicking 'Show solution' shows nothing"


def page_has_images(site, name):
    return "<img " in (site / name).read_text(encoding="utf-8")


ANIMATIONS = sorted(path.name for path in (REPOSITORY / "figures").glob("*_explore_*.gif"))


@pytest.mark.parametrize("animation", ANIMATIONS)
def test_each_explorer_animation_loads_and_plays(animation, site, base_url, browser):
    (page_name,) = [p for p in CHAPTER_PAGES if p.removeprefix("chapters/").startswith(animation[:3])]
    size = (REPOSITORY / "figures" / animation).stat().st_size
    assert size < 2 * 2**20, f"{animation} is {size / 2**20:.1f} MiB; the website's limit is about 2 MB"
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(base_url + page_name, wait_until="load")
    image = page.locator(f'img[src$="/{animation}"]')
    assert image.count() == 1, f"{page_name} does not show {animation}"
    image.scroll_into_view_if_needed()
    width = image.evaluate("img => img.decode().then(() => img.naturalWidth, () => 0)")
    # what the reader sees of it, four times 0.6 s apart (a frame lasts 80 ms): a canvas would
    # not do, as drawImage takes an animated image's first frame only
    frames = set()
    for _ in range(4):
        frames.add(image.screenshot())
        page.wait_for_timeout(600)
    page.close()
    assert width > 0, f"{animation} did not load on {page_name}"
    assert len(frames) >= 3, f"{animation} does not play on {page_name}: {len(frames)} distinct frame(s) of 4"
