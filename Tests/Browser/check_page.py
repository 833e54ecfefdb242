#!/usr/bin/env python3
"""check_page.py: load one page in a real Chromium and report what a person would meet.

    python3 check_page.py --url URL --screenshot PATH.png [--expect-charts N] [--report PATH.json]
                          [--viewport WxH] [--mobile] [--forbid-overflow] [--wait-for SELECTOR]
                          [--timeout SECONDS] [--chromium PATH]

Chromium (Debian's, at --chromium, /usr/bin/chromium by default) runs headless through
Playwright's sync API; Playwright downloads no browser of its own. Every request to an origin
other than the page's own (scheme, host and port of --url) is blocked and listed: a dashboard
uses no CDN, no external font or script. After the load event (and a short wait for the network
to go quiet, or for --wait-for), a full-page screenshot is written and a JSON report goes to
standard output (and to --report):

    url, finalUrl, status, title, lang, viewport, viewportOverflow, screenshot,
    consoleErrors [{kind, text, url}], externalRequests [{url, resourceType}],
    charts [{name, svg, marks, values, table, tableRows, tableValues, caption, svgRole,
             ariaLabel, complete}],
    expectCharts, browser, playwright, elapsedMs, problems [text], ok

ok: status 200, no console error, no external request, and with --expect-charts N at least N
charts (<figure data-chart="NAME">), every one of them complete: an inline <svg> with at least
one mark (rect, path, circle, line or polyline carrying data-value) and a <table> with at least
one <tbody> row. With --forbid-overflow also no horizontal overflow at --viewport.

Exit status: 0 ok, 1 not ok (the report says why in `problems`), 2 a usage error or a browser
that cannot start (the reason on standard error, no report).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from urllib.parse import urlsplit

from browser_common import (DEFAULT_CHROMIUM, EXIT_NOT_OK, EXIT_OK, EXIT_USAGE, Watch, chromium_problem, launch,
                            origin_of, playwright_problem, playwright_version, positive_seconds, start_watchdog,
                            write_atomically)

# The marks of a chart: drawn elements that carry their data point in data-value.
MARK_SELECTOR = ", ".join(f"{tag}[data-value]" for tag in ("rect", "path", "circle", "line", "polyline"))

# Read in the page: every <figure data-chart>, in document order.
CHARTS_SCRIPT = """
(markSelector) => {
  const text = (node) => node ? node.textContent.replace(/\\s+/g, ' ').trim() : null;
  return Array.from(document.querySelectorAll('figure[data-chart]')).map((figure) => {
    const svg = figure.querySelector('svg');
    const marks = svg ? Array.from(svg.querySelectorAll(markSelector)) : [];
    const table = figure.querySelector('table');
    const rows = table ? Array.from(table.querySelectorAll('tbody tr')) : [];
    return {
      name: figure.getAttribute('data-chart'),
      svg: svg !== null,
      marks: marks.length,
      values: marks.map((mark) => mark.getAttribute('data-value')),
      table: table !== null,
      tableRows: rows.length,
      tableValues: rows.map((row) => {
        const cells = row.querySelectorAll('td, th');
        return cells.length ? text(cells[cells.length - 1]) : '';
      }),
      caption: text(figure.querySelector('figcaption')),
      svgRole: svg ? svg.getAttribute('role') : null,
      ariaLabel: svg ? svg.getAttribute('aria-label') : null,
    };
  });
}
"""

def parse_viewport(text: str) -> dict:
    match = re.fullmatch(r"([1-9][0-9]{1,4})x([1-9][0-9]{1,4})", text)
    if not match:
        raise argparse.ArgumentTypeError(f"viewport must be WIDTHxHEIGHT in CSS pixels, e.g. 390x844, not {text!r}")
    return {"width": int(match.group(1)), "height": int(match.group(2))}


def non_negative(text: str) -> int:
    if not re.fullmatch(r"[0-9]+", text):
        raise argparse.ArgumentTypeError(f"expected a whole number, not {text!r}")
    return int(text)


def parse_arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="check_page.py",
        description="Load a page in headless Chromium (Playwright), screenshot it, report as JSON.",
        epilog="Exit status: 0 ok, 1 not ok (report printed), 2 usage error or the browser cannot start.",
    )
    parser.add_argument("--url", required=True, help="the page, http:// or https://")
    parser.add_argument("--screenshot", required=True, metavar="PATH.png", help="full-page screenshot written here")
    parser.add_argument("--report", metavar="PATH.json", help="also write the JSON report here")
    parser.add_argument("--expect-charts", type=non_negative, metavar="N",
                        help="ok needs at least N charts, each with an svg, marks and a table with rows")
    parser.add_argument("--viewport", type=parse_viewport, metavar="WxH",
                        help="viewport in CSS pixels (e.g. 390x844 for a phone); also measures viewportOverflow")
    parser.add_argument("--mobile", action="store_true",
                        help="emulate a mobile device (meta viewport honoured, touch) at --viewport")
    parser.add_argument("--forbid-overflow", action="store_true",
                        help="ok also needs no horizontal overflow at --viewport")
    parser.add_argument("--wait-for", metavar="SELECTOR",
                        help="after the load event, wait until this CSS selector matches")
    parser.add_argument("--timeout", type=positive_seconds, default=30.0, metavar="SECONDS",
                        help="bound of the navigation and of --wait-for (default 30)")
    parser.add_argument("--chromium", default=DEFAULT_CHROMIUM, metavar="PATH",
                        help="Chromium executable (default /usr/bin/chromium, Debian's package)")
    arguments = parser.parse_args(argv)
    scheme = urlsplit(arguments.url).scheme
    if scheme not in ("http", "https") or not urlsplit(arguments.url).netloc:
        parser.error(f"--url must be an http:// or https:// URL, not {arguments.url!r}")
    if (arguments.mobile or arguments.forbid_overflow) and arguments.viewport is None:
        parser.error("--mobile and --forbid-overflow need --viewport")
    return arguments


def fail_to_start(message: str) -> int:
    print(f"check_page.py: {message}", file=sys.stderr)
    return EXIT_USAGE


def check(arguments: argparse.Namespace) -> int:
    started = time.monotonic()
    chromium = arguments.chromium
    problem = chromium_problem(chromium) or playwright_problem()
    if problem:
        return fail_to_start(problem)
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import sync_playwright

    watch = Watch(origin_of(arguments.url))
    console_errors, external = watch.console_errors, watch.external
    problems: list[str] = []

    report: dict = {"url": arguments.url, "finalUrl": None, "status": None, "title": None, "lang": None,
                    "viewport": arguments.viewport, "viewportOverflow": None, "screenshot": arguments.screenshot,
                    "consoleErrors": console_errors, "externalRequests": external, "charts": [],
                    "expectCharts": arguments.expect_charts, "browser": None, "playwright": playwright_version()}

    with sync_playwright() as playwright:
        try:
            browser = launch(playwright, chromium)
        except PlaywrightError as error:
            return fail_to_start(f"Chromium at {chromium} did not start: {error.message.strip()}")
        try:
            report["browser"] = browser.version
            options: dict = {"service_workers": "block"}
            if arguments.viewport:
                options["viewport"] = arguments.viewport
                if arguments.mobile:
                    options.update(is_mobile=True, has_touch=True, device_scale_factor=2)
            context = browser.new_context(**options)
            context.set_default_timeout(arguments.timeout * 1000)
            watch.attach(context)
            page = context.new_page()
            watch.watch(page)
            try:
                response = page.goto(arguments.url, wait_until="load", timeout=arguments.timeout * 1000)
            except PlaywrightTimeout:
                response = None
                problems.append(f"the page did not finish loading within {arguments.timeout:g} s")
            except PlaywrightError as error:
                response = None
                problems.append(f"the page could not be loaded: {error.message.splitlines()[0]}")
            if response is not None:
                report["status"] = response.status
                # Let scripts that draw after `load` (a fetch, then the charts) finish; bounded.
                try:
                    page.wait_for_load_state("networkidle", timeout=min(3_000, arguments.timeout * 1000))
                except PlaywrightError:
                    pass
                if arguments.wait_for:
                    try:
                        page.wait_for_selector(arguments.wait_for, state="attached")
                    except PlaywrightError as error:
                        problems.append(f"--wait-for {arguments.wait_for!r}: {error.message.splitlines()[0]}")
                report["finalUrl"] = page.url
                report["title"] = page.title()
                report["lang"] = page.evaluate("document.documentElement.getAttribute('lang')")
                report["charts"] = page.evaluate(CHARTS_SCRIPT, MARK_SELECTOR)
                if arguments.viewport:
                    report["viewportOverflow"] = page.evaluate(
                        "(document.scrollingElement || document.documentElement).scrollWidth > window.innerWidth")
            try:
                directory = os.path.dirname(os.path.abspath(arguments.screenshot))
                os.makedirs(directory, exist_ok=True)
                page.screenshot(path=arguments.screenshot, full_page=True)
            except (PlaywrightError, OSError) as error:
                report["screenshot"] = None
                problems.append(f"no screenshot: {getattr(error, 'message', str(error)).splitlines()[0]}")
        finally:
            browser.close()

    for chart in report["charts"]:
        chart["complete"] = chart["svg"] and chart["marks"] >= 1 and chart["table"] and chart["tableRows"] >= 1
    judge(report, arguments, problems)
    report["elapsedMs"] = round((time.monotonic() - started) * 1000)
    report["problems"] = problems
    report["ok"] = not problems
    text = json.dumps(report, indent=2, ensure_ascii=False)
    print(text)
    if arguments.report:
        write_atomically(arguments.report, text + "\n")
    return EXIT_OK if report["ok"] else EXIT_NOT_OK


def judge(report: dict, arguments: argparse.Namespace, problems: list[str]) -> None:
    if report["status"] is not None and report["status"] != 200:
        problems.append(f"the page answered HTTP {report['status']}, not 200")
    elif report["status"] is None and not problems:
        problems.append("no HTTP status for the page")
    for error in report["consoleErrors"]:
        problems.append(f"{error['kind']}: {error['text']}")
    for request in report["externalRequests"]:
        problems.append(f"external request blocked ({request['resourceType']}): {request['url']}")
    if arguments.expect_charts is not None:
        charts = report["charts"]
        if len(charts) < arguments.expect_charts:
            problems.append(f"{len(charts)} chart(s) (<figure data-chart>), expected at least {arguments.expect_charts}")
        for chart in charts:
            if chart["complete"]:
                continue
            missing = []
            if not chart["svg"]:
                missing.append("no inline <svg>")
            elif chart["marks"] < 1:
                missing.append("no mark with data-value in its <svg>")
            if not chart["table"]:
                missing.append("no <table>")
            elif chart["tableRows"] < 1:
                missing.append("no <tbody> row in its <table>")
            problems.append(f"chart {chart['name']!r}: {', '.join(missing)}")
    if arguments.forbid_overflow and report["viewportOverflow"]:
        problems.append(f"the page is wider than the {arguments.viewport['width']} px viewport")


def main(argv: list[str]) -> int:
    arguments = parse_arguments(argv)  # exits 2 on a usage error
    # Navigation and --wait-for are bounded by --timeout each; launch, screenshot and the rest
    # get 60 s more.
    start_watchdog("check_page.py", 2 * arguments.timeout + 60)
    return check(arguments)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
