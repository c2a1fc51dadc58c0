"""Open a page in real headless Chromium over the DevTools protocol and say what went wrong.

Used by the report tests: console errors, uncaught exceptions, failed loads and images that did not
decode (``naturalWidth == 0``) are collected, and a full-page screenshot is taken. Chromium runs with
a fresh profile, no network services, in its own process group, which is killed afterwards.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import websocket

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--no-first-run", "--no-default-browser-check", "--disable-extensions", "--hide-scrollbars", "--remote-debugging-port=0"]
GUARD_SECONDS = 120  # a hung browser fails the test instead of hanging it


def find_chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = shutil.which(name)
        if path:
            return path
    return None


@dataclass
class PageReport:
    errors: list[str] = field(default_factory=list)  # console errors, exceptions, failed loads
    images: list[dict[str, Any]] = field(default_factory=list)  # alt, naturalWidth, naturalHeight, complete
    text: str = ""
    screenshot: bytes = b""
    scroll_width: int = 0  # the page's width; more than the window means a horizontal scrollbar


class _Session:
    def __init__(self, ws_url: str) -> None:
        self.ws = websocket.create_connection(ws_url, timeout=GUARD_SECONDS, suppress_origin=True)
        self.next_id = 0
        self.events: list[dict[str, Any]] = []

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        self.next_id += 1
        my_id = self.next_id
        self.ws.send(json.dumps({"id": my_id, "method": method, "params": params}))
        deadline = time.monotonic() + GUARD_SECONDS
        while time.monotonic() < deadline:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == my_id:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            self.events.append(msg)
        raise TimeoutError(method)

    def wait_for(self, method: str) -> dict[str, Any]:
        deadline = time.monotonic() + GUARD_SECONDS
        for i, msg in enumerate(self.events):
            if msg.get("method") == method:
                return self.events.pop(i)
        while time.monotonic() < deadline:
            msg = json.loads(self.ws.recv())
            if msg.get("method") == method:
                return msg
            self.events.append(msg)
        raise TimeoutError(method)

    def close(self) -> None:
        self.ws.close()


def _errors(events: list[dict[str, Any]]) -> list[str]:
    out = []
    for e in events:
        m, p = e.get("method"), e.get("params", {})
        if m == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
            out.append("console." + p["type"] + ": " + " ".join(str(a.get("value", a.get("description", ""))) for a in p.get("args", [])))
        elif m == "Runtime.exceptionThrown":
            d = p.get("exceptionDetails", {})
            out.append("exception: " + str(d.get("exception", {}).get("description") or d.get("text")))
        elif m == "Log.entryAdded" and p.get("entry", {}).get("level") == "error":
            out.append("log: " + p["entry"].get("text", "") + " " + p["entry"].get("url", ""))
        elif m == "Network.loadingFailed":
            out.append("load failed: " + p.get("errorText", ""))
    return out


def open_page(path: Path, width: int = 1280) -> PageReport:
    """Load ``path`` (a local HTML file) in headless Chromium; report errors, images, text, screenshot."""
    binary = find_chromium()
    if binary is None:
        raise FileNotFoundError("no Chromium on PATH (Debian: apt-get install chromium)")
    profile = tempfile.mkdtemp(prefix="tangle-sim-chromium-")
    proc = subprocess.Popen([binary, *FLAGS, f"--user-data-dir={profile}", "about:blank"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    session = None
    try:
        port_file = Path(profile) / "DevToolsActivePort"
        deadline = time.monotonic() + GUARD_SECONDS
        while not (port_file.exists() and port_file.read_text().count("\n") >= 1):
            if proc.poll() is not None:
                raise RuntimeError(f"Chromium exited with {proc.returncode} before opening DevTools")
            if time.monotonic() > deadline:
                raise TimeoutError("Chromium did not open DevTools")
            time.sleep(0.05)
        port = int(port_file.read_text().splitlines()[0])
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=30) as resp:
            targets = json.load(resp)
        page = next(t for t in targets if t.get("type") == "page")
        session = _Session(page["webSocketDebuggerUrl"])
        for domain in ("Page", "Runtime", "Log", "Network"):
            session.call(f"{domain}.enable")
        session.call("Emulation.setDeviceMetricsOverride", width=width, height=900, deviceScaleFactor=1, mobile=False)
        session.call("Page.navigate", url=path.resolve().as_uri())
        session.wait_for("Page.loadEventFired")
        probe = ("JSON.stringify({images: Array.from(document.images).map(i => ({alt: i.alt, complete: i.complete, naturalWidth: i.naturalWidth, "
                 "naturalHeight: i.naturalHeight})), text: document.body.innerText, height: document.documentElement.scrollHeight, width: document.documentElement.scrollWidth})")
        result = json.loads(session.call("Runtime.evaluate", expression=probe, returnByValue=True)["result"]["value"])
        session.call("Emulation.setDeviceMetricsOverride", width=width, height=min(int(result["height"]), 16000), deviceScaleFactor=1, mobile=False)
        shot = session.call("Page.captureScreenshot", format="png", captureBeyondViewport=True)
        return PageReport(errors=_errors(session.events), images=result["images"], text=result["text"], screenshot=base64.b64decode(shot["data"]), scroll_width=int(result["width"]))
    finally:
        if session is not None:
            session.close()
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        shutil.rmtree(profile, ignore_errors=True)
