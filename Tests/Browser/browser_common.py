"""browser_common.py: what check_page.py and portail_flow.py share.

Debian's Chromium (no browser of Playwright's own) launched headless with the flags a root
container needs; every request to an origin other than the page's own blocked and listed;
console errors, page errors, failed requests and failed subresources collected; a watchdog
that ends a run whose browser hangs. Imported from the scripts' own directory (Python puts a
script's directory first on sys.path).
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
from urllib.parse import urlsplit

EXIT_OK, EXIT_NOT_OK, EXIT_USAGE = 0, 1, 2

# --no-sandbox: the tests run as root in a container, where Chromium's sandbox cannot start.
LAUNCH_ARGS = ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--dns-prefetch-disable"]

# Chromium's own console line for a request this module blocked: not the page's error.
BLOCKED_ERROR = "net::ERR_BLOCKED_BY_CLIENT"

DEFAULT_CHROMIUM = "/usr/bin/chromium"


def origin_of(url: str) -> str | None:
    """scheme://host:port, with the scheme's default port made explicit; None for data:, blob:…"""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https", "ws", "wss"):
        return None
    secure = parts.scheme in ("https", "wss")
    try:
        port = parts.port
    except ValueError:
        port = None
    port = port or (443 if secure else 80)
    return f"{'https' if secure else 'http'}://{(parts.hostname or '').lower()}:{port}"


def positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1
    if not 0 < value <= 600:
        raise argparse.ArgumentTypeError(f"expected seconds between 0 and 600, not {text!r}")
    return value


def chromium_problem(chromium: str) -> str | None:
    """Why `chromium` cannot be used, or None."""
    if not os.path.isfile(chromium) or not os.access(chromium, os.X_OK):
        return (f"no Chromium executable at {chromium}: install Debian's chromium package "
                "(compose/dev installs it for the tests) or pass --chromium PATH")
    return None


def playwright_problem() -> str | None:
    """Why Playwright cannot be imported by this Python, or None."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError as error:
        return (f"Playwright is not installed for {sys.executable} ({error}): "
                f"pip install -r {os.path.join(os.path.dirname(os.path.abspath(__file__)), 'requirements.txt')} "
                "with PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1")
    return None


def playwright_version() -> str | None:
    try:
        from importlib.metadata import version
        return version("playwright")
    except Exception:  # noqa: BLE001 - the version is information only
        return None


def launch(playwright, chromium: str):
    """Headless Chromium at `chromium`; Playwright's Error when it does not start."""
    return playwright.chromium.launch(executable_path=chromium, headless=True, args=LAUNCH_ARGS, timeout=30_000)


class Watch:
    """Blocks other origins and collects what went wrong in a browser context's pages.

    consoleErrors: [{kind, text, url}], kind one of console (console.error and Chromium's own
    error lines), pageerror (an uncaught exception), requestfailed, http (a subresource or
    frame answered 400 or more; the top-level document's status is the caller's to judge).
    externalRequests: [{url, resourceType}] blocked because not of `own_origin`.
    """

    def __init__(self, own_origin: str | None):
        self.own_origin = own_origin
        self.console_errors: list[dict] = []
        self.external: list[dict] = []
        self.blocked_urls: set[str] = set()

    def attach(self, context) -> None:
        """Blocks other origins for the whole context (call before opening pages)."""
        context.route("**/*", self._route)
        context.route_web_socket(self._web_socket_elsewhere, self._web_socket)

    def watch(self, page) -> None:
        page.on("console", self._on_console)
        page.on("pageerror", self._on_page_error)
        page.on("requestfailed", self._on_request_failed)
        page.on("response", self._on_response)

    def _route(self, route, request) -> None:
        if origin_of(request.url) in (self.own_origin, None):
            route.continue_()
        else:
            self.external.append({"url": request.url, "resourceType": request.resource_type})
            self.blocked_urls.add(request.url)
            route.abort("blockedbyclient")

    def _web_socket_elsewhere(self, url: str) -> bool:
        return origin_of(url) not in (self.own_origin, None)

    def _web_socket(self, socket) -> None:
        # Not connected to its server: the page's socket stays open and never gets an answer.
        self.external.append({"url": socket.url, "resourceType": "websocket"})

    def _on_console(self, message) -> None:
        if message.type != "error":
            return
        url = (message.location or {}).get("url") or ""
        if url in self.blocked_urls and BLOCKED_ERROR in message.text:
            return
        self.console_errors.append({"kind": "console", "text": message.text, "url": url})

    def _on_page_error(self, error) -> None:
        text = str(error) if str(error) else getattr(error, "message", repr(error))
        self.console_errors.append({"kind": "pageerror", "text": text, "url": ""})

    def _on_request_failed(self, request) -> None:
        if request.url in self.blocked_urls:
            return
        self.console_errors.append({"kind": "requestfailed",
                                    "text": f"{request.method} {request.url}: {request.failure or 'failed'}",
                                    "url": request.url})

    def _on_response(self, response) -> None:
        # The page's own status is the caller's; a failed subresource (or frame) is an error.
        request = response.request
        if request.is_navigation_request() and request.frame.parent_frame is None:
            return
        if response.status >= 400:
            self.console_errors.append({"kind": "http",
                                        "text": f"{request.method} {response.url}: HTTP {response.status}",
                                        "url": response.url})


def write_atomically(path: str, text: str) -> None:
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    temporary = f"{path}.tmp{os.getpid()}"
    with open(temporary, "w", encoding="utf-8") as file:
        file.write(text)
    os.replace(temporary, path)


def start_watchdog(program: str, seconds: float) -> None:
    """A browser that hangs ends the run (exit 2) instead of the caller's test; Playwright's
    driver, and with it Chromium, exits when this process goes."""
    def give_up():
        print(f"{program}: gave up after {seconds:g} s: the browser did not answer", file=sys.stderr, flush=True)
        os._exit(EXIT_USAGE)
    timer = threading.Timer(seconds, give_up)
    timer.daemon = True
    timer.start()
