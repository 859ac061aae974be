"""Check a Snakemake HTML report in a real browser: open every result item and count what
rendered.

Snakemake's report is a JavaScript app whose items render only when navigated to, so this
walks it as a reader does, in headless Chromium (Debian's, driven by Playwright; no browser
download): home, a category, its subcategory, then each result's view button (the figure or
table appears) and its info button (the caption appears). Per item it records the images that
decoded and the tables with rows (inside the item's frame for HTML pages, with the kinds of
element there), and it records every request the page made beyond the file itself and every
dialog a script opened. Optionally it keeps a screenshot of one item with its caption.

    python -m depthfake.reporting.browser_check report.html --screenshot docs/report.png \
        --screenshot-item gradcam.png --summary docs/report-check.json

The summary names the screenshot's SHA-256, so a test can tell that the two were made
together. Standalone pages (a detection batch's) are checked by `check_pages`: the images that
decoded and those that did not, the tables with rows, the visible text, and the same requests,
errors and dialogs.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

from depthfake.plan.provenance import code_version
from depthfake.storage.files import file_sha256

CHROMIUM = Path("/usr/bin/chromium")  # Debian's package `chromium`
# Headless as root, and no background traffic to Google's services (refused offline).
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"]
LOCAL_URLS = ("file:", "data:", "about:", "blob:")
NAVBAR = "#app nav"
CONTENT = "#app > div > div.h-screen"  # the pane that shows the selected result
TIMEOUT_MS = 15_000


@dataclass
class ItemCheck:
    """One result of the report as the browser showed it."""

    path: str  # the result's file, as the report names it
    category: str
    subcategory: str
    labels: list[str]
    kind: str  # img or html (what the view pane showed)
    images: int = 0  # decoded images (naturalWidth > 0)
    tables: int = 0  # tables with a row below the header
    table_rows: int = 0
    text: int = 0  # characters of text on an HTML page
    elements: list[str] = field(default_factory=list)  # the tags on an HTML page
    caption: str = ""
    error: str = ""

    @property
    def rendered(self) -> bool:
        return not self.error and (self.images > 0 or self.tables > 0 or self.text > 0)


@dataclass
class ReportCheck:
    report: str
    results: list[str]  # every result the report holds
    items: list[ItemCheck] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)  # non-local URLs the page asked for
    page_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)  # alerts and prompts a script opened

    @property
    def missing(self) -> list[str]:
        return sorted(set(self.results) - {item.path for item in self.items})

    @property
    def failed(self) -> list[str]:
        return [item.path for item in self.items if not item.rendered]

    @property
    def ok(self) -> bool:
        return not (self.missing or self.failed or self.requests or self.page_errors
                    or self.dialogs)

    def summary(self) -> dict:
        return {"report": self.report, "ok": self.ok, "results": len(self.results),
                "images": sum(i.images for i in self.items),
                "tables": sum(i.tables for i in self.items), "missing": self.missing,
                "failed": self.failed, "requests": self.requests,
                "page_errors": self.page_errors, "dialogs": self.dialogs,
                "items": [asdict(i) for i in self.items]}


class ReportWalker:
    """Drives one open report page through the app's own navigation."""

    def __init__(self, page):
        self.page = page
        self.categories: dict[str, list[str]] = page.evaluate("categories")

    def wait(self, condition: str) -> None:
        self.page.wait_for_function(condition, timeout=TIMEOUT_MS)

    def open_list(self, category: str, subcategory: str) -> None:
        """Home, then the category (the menu calls a lone one "Results"), then the
        subcategory (skipped by the app when it is the category's only one)."""
        self.page.locator(f"{NAVBAR} ol li a").first.click()
        self.wait("app.state.navbarMode === 'menu'")
        name = "Results" if len(self.categories) == 1 else category
        self.menu_entry(name).click()
        if len(self.categories[category]) > 1:
            self.wait("app.state.navbarMode === 'category'")
            self.menu_entry(subcategory).click()
        self.wait(f"app.state.navbarMode === 'subcategory' && "
                  f"app.state.subcategory === {json.dumps(subcategory)}")

    def menu_entry(self, name: str):
        spans = self.page.locator("span", has_text=name)
        return self.page.locator(f"{NAVBAR} ul > li > a").filter(has=spans).first

    def rows(self):
        return self.page.locator(f"{NAVBAR} table.w-full > tbody > tr")

    def show(self, category: str, subcategory: str, row: int) -> ItemCheck:
        """Open row `row` of a subcategory's list: its view, then its caption."""
        self.open_list(category, subcategory)
        cells = self.rows().nth(row)
        labels = cells.locator("td").all_inner_texts()[:-1]
        view, info = cells.locator("td:last-child a[type=button]").all()[:2]
        view.click()
        self.wait("['img', 'html'].includes(app.state.content)")
        info.click()
        self.wait("app.state.navbarMode === 'resultinfo'")
        caption = self.page.locator(f"{NAVBAR} li.prose")
        item = ItemCheck(path=self.page.evaluate("app.state.resultPath"), category=category,
                         subcategory=subcategory, labels=labels,
                         kind=self.page.evaluate("app.state.content"),
                         caption=caption.inner_text() if caption.count() else "")
        if item.kind == "img":
            image = self.page.locator(f"{CONTENT} img").element_handle()
            self.page.wait_for_function("image => image.complete", arg=image,
                                        timeout=TIMEOUT_MS)  # a broken one completes too
            item.images = int(image.evaluate("image => image.naturalWidth > 0"))
        else:
            frame = self.page.locator(f"{CONTENT} iframe").element_handle().content_frame()
            frame.wait_for_load_state("load")
            counts = frame.evaluate(
                "() => { const t = [...document.querySelectorAll('table')]"
                ".filter(t => t.rows.length > 1); return [t.length,"
                " t.reduce((n, t) => n + t.rows.length, 0), [...document.images]"
                ".filter(i => i.complete && i.naturalWidth > 0).length,"
                " document.body.innerText.trim().length, [...new Set([...document"
                ".querySelectorAll('*')].map(e => e.localName))].sort()]; }")
            item.tables, item.table_rows, item.images, item.text, item.elements = counts
        return item

    def walk(self, check: ReportCheck, screenshot: Path | None, screenshot_item: str | None
             ) -> None:
        for category, subcategories in self.categories.items():
            for subcategory in subcategories:
                self.open_list(category, subcategory)
                for row in range(self.rows().count()):
                    try:
                        item = self.show(category, subcategory, row)
                    except Exception as err:  # recorded: the walk goes on to the next item
                        item = ItemCheck(f"{category}/{subcategory}/row {row}", category,
                                         subcategory, [], "", error=f"{type(err).__name__}: "
                                         f"{str(err).splitlines()[0]}")
                    check.items.append(item)
                    wanted = screenshot_item is None or item.path.endswith(screenshot_item)
                    if screenshot and item.rendered and wanted and not screenshot.exists():
                        self.page.screenshot(path=screenshot)


def check_report(report: Path, screenshot: Path | None = None,
                 screenshot_item: str | None = None, chromium: Path = CHROMIUM,
                 viewport: tuple[int, int] = (1440, 900)) -> ReportCheck:
    """Open `report` in headless Chromium and check every result it holds."""
    if screenshot:
        screenshot.unlink(missing_ok=True)
        screenshot.parent.mkdir(parents=True, exist_ok=True)
    with browser_pages(chromium) as new_page:
        page, watch = new_page(viewport)
        page.goto(report.resolve().as_uri(), wait_until="load")
        page.wait_for_selector("#loading-screen", state="hidden", timeout=TIMEOUT_MS)
        check = ReportCheck(str(report), page.evaluate("Object.keys(results)"),
                            requests=watch.requests, page_errors=watch.page_errors,
                            dialogs=watch.dialogs)
        ReportWalker(page).walk(check, screenshot, screenshot_item)
    return check


@dataclass
class PageWatch:
    """What a page did beyond showing itself: outside requests, script errors, dialogs."""

    requests: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)


@contextlib.contextmanager
def browser_pages(chromium: Path) -> Iterator[Callable[[tuple[int, int]], tuple[object,
                                                                               PageWatch]]]:
    """Headless Chromium, as a maker of pages (of a viewport) whose outside requests, script
    errors and dialogs (dismissed) are recorded."""
    from playwright.sync_api import sync_playwright

    if not chromium.exists():
        raise FileNotFoundError(f"no Chromium at {chromium}: install Debian's package "
                                "(apt-get install chromium) or pass its path")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), args=CHROMIUM_FLAGS)

        def new_page(viewport: tuple[int, int]) -> tuple[object, PageWatch]:
            page = browser.new_page(viewport=dict(zip(("width", "height"), viewport,
                                                      strict=True)))
            watch = PageWatch()
            page.on("request", lambda r: None if r.url.startswith(LOCAL_URLS)
                    else watch.requests.append(r.url))
            page.on("pageerror", lambda e: watch.page_errors.append(str(e)))
            page.on("dialog", lambda d: (watch.dialogs.append(f"{d.type}: {d.message}"),
                                         d.dismiss()))
            return page, watch

        try:
            yield new_page
        finally:
            browser.close()


@dataclass
class PageCheck:
    """One standalone HTML page as the browser showed it."""

    path: str
    title: str
    images: int  # decoded (naturalWidth > 0)
    broken_images: int
    tables: int  # with a row below the header
    text: str  # the page's visible text
    elements: list[str]  # the tags on the page
    watch: PageWatch

    @property
    def ok(self) -> bool:
        return not (self.broken_images or self.watch.requests or self.watch.page_errors
                    or self.watch.dialogs)


PAGE_CONTENT = """() => ({
  title: document.title,
  images: [...document.images].filter(i => i.complete && i.naturalWidth > 0).length,
  broken: [...document.images].filter(i => !(i.complete && i.naturalWidth > 0)).length,
  tables: [...document.querySelectorAll('table')].filter(t => t.querySelector('tbody tr'))
    .length,
  text: document.body.innerText,
  elements: [...new Set([...document.querySelectorAll('*')].map(e => e.tagName.toLowerCase()))]
})"""


def check_pages(pages: list[Path], screenshot: Path | None = None, chromium: Path = CHROMIUM,
                viewport: tuple[int, int] = (1280, 900)) -> list[PageCheck]:
    """Open each standalone page in headless Chromium and count what rendered; with
    `screenshot`, keep one of the first page."""
    checks = []
    with browser_pages(chromium) as new_page:
        for number, path in enumerate(pages):
            page, watch = new_page(viewport)
            page.goto(path.resolve().as_uri(), wait_until="load")
            found = page.evaluate(PAGE_CONTENT)
            checks.append(PageCheck(str(path), found["title"], found["images"], found["broken"],
                                    found["tables"], found["text"], sorted(found["elements"]),
                                    watch))
            if screenshot and number == 0:
                screenshot.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(screenshot))
            page.close()
    return checks


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("report", type=Path, help="the HTML file of snakemake --report")
    parser.add_argument("--screenshot", type=Path, help="PNG of one item's view and caption")
    parser.add_argument("--screenshot-item", help="the item shown: the end of its file name "
                        "(default: the first that rendered)")
    parser.add_argument("--summary", type=Path, help="JSON of what was found")
    parser.add_argument("--chromium", type=Path, default=CHROMIUM)
    args = parser.parse_args(argv)
    check = check_report(args.report, args.screenshot, args.screenshot_item, args.chromium)
    summary = {"commit": code_version(), **check.summary(),
               **({"screenshot": {"file": args.screenshot.name,
                                  "sha256": file_sha256(args.screenshot)}}
                  if args.screenshot else {})}
    if args.summary:
        args.summary.write_text(json.dumps(summary, indent=1) + "\n")
    print(f"{len(check.items)} of {len(check.results)} results opened: "
          f"{summary['images']} images and {summary['tables']} tables rendered; missing "
          f"{check.missing or 'none'}; failed {check.failed or 'none'}; outside requests "
          f"{check.requests or 'none'}; page errors {check.page_errors or 'none'}; dialogs "
          f"{check.dialogs or 'none'}")
    sys.exit(0 if check.ok else 1)


if __name__ == "__main__":
    main()
