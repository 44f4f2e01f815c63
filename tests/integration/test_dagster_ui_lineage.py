"""The Dagster UI, served by dagster-webserver on 127.0.0.1, shows the lineage from a raw asset to a
published mart, the published warehouse and the chargeback report; a screenshot of the asset graph is kept as a test artefact."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests.headless_chromium import INSTALL_HINT, Browser, chromium_path

ROOT = Path(__file__).resolve().parents[2]
RAW, MART, PUBLISHED = "raw/openai/costs", "marts/fct_ai_cost_daily", "published/warehouse"
REPORT = "reports/chargeback"
SELECTION = f'(key:"{RAW}"+ and +key:"{MART}") or key:"{PUBLISHED}" or key:"{REPORT}"'
ASSET_GRAPH_QUERY = "{ assetNodes { assetKey { path } dependencyKeys { path } } }"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get_json(url: str, body: dict | None = None) -> dict:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data, {"content-type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


@pytest.fixture(scope="module")
def webserver(tmp_path_factory):
    home = tmp_path_factory.mktemp("dagster_home")
    port = free_port()
    log = (home / "webserver.log").open("w")
    process = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "dagster-webserver"),
            "-m",
            "orchestration.definitions",
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
        ],
        cwd=ROOT,
        env={**os.environ, "DAGSTER_HOME": str(home), "AIUW_DATA_DIR": str(home / "data")},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    started = time.monotonic()
    deadline = started + 150
    try:
        while True:
            assert process.poll() is None, (home / "webserver.log").read_text()[-3000:]
            try:
                nodes = get_json(f"{url}/graphql", {"query": ASSET_GRAPH_QUERY})["data"]
                if nodes and nodes.get("assetNodes"):
                    break
            except (OSError, ValueError, KeyError):
                pass
            assert time.monotonic() < deadline, "dagster-webserver did not serve the asset graph"
            time.sleep(1)
        print(f"dagster-webserver served the asset graph after {time.monotonic() - started:.0f} s")
        yield url, nodes["assetNodes"]
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def chain(nodes: list[dict], start: str, end: str) -> list[str]:
    """One dependency path from `start` to `end` through the served asset graph."""
    children: dict[str, list[str]] = {}
    for node in nodes:
        for parent in node["dependencyKeys"]:
            children.setdefault("/".join(parent["path"]), []).append(
                "/".join(node["assetKey"]["path"])
            )
    paths = [[start]]
    while paths:
        path = paths.pop(0)
        if path[-1] == end:
            return path
        paths += [[*path, child] for child in children.get(path[-1], []) if child not in path]
    return []


def missing_from(text: str, names: list[str]) -> list[str]:
    """Asset names not shown on the page; the graph shortens long names to `head…tail`."""
    shown = {line.strip() for line in text.splitlines()}

    def on_page(name: str) -> bool:
        return name in shown or any(
            head and name.startswith(head) and name.endswith(tail) and len(head + tail) >= 8
            for head, _, tail in (label.partition("…") for label in shown if "…" in label)
        )

    return [name for name in names if not on_page(name)]


def test_asset_graph_shows_raw_to_published_lineage(webserver, tmp_path, request):
    if not chromium_path():
        pytest.fail(INSTALL_HINT)
    url, nodes = webserver
    to_mart, to_published = chain(nodes, RAW, MART), chain(nodes, MART, PUBLISHED)
    to_report = chain(nodes, PUBLISHED, REPORT)
    assert to_mart and to_published and to_report, (
        "the served asset graph has no path raw -> mart -> published -> report"
    )
    assert any(key.startswith("staging/") for key in to_mart)
    names = [key.split("/")[-1] for key in [*to_mart, PUBLISHED, REPORT]]

    page_url = f"{url}/asset-groups~{urllib.parse.quote(SELECTION, safe='')}"
    with Browser(tmp_path / "chromium") as browser:
        browser.open(page_url)
        deadline, text = time.monotonic() + 60, ""
        while time.monotonic() < deadline:
            # The first visit shows a newsletter dialog; groups start collapsed.
            state = browser.evaluate(SKIP_DIALOG_AND_EXPAND_GROUPS)
            text = browser.text()
            if state == "expanded" and not missing_from(text, names):
                break
            time.sleep(0.5)
        browser.press_escape()  # close the graph settings menu
        time.sleep(1)  # let the layout settle for the picture
        screenshot = browser.screenshot(tmp_path / "dagster_asset_lineage.png")
        text = browser.text()
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    (reporter.write_line if reporter else print)(f"Dagster UI lineage screenshot: {screenshot}")
    missing = missing_from(text, names)
    assert not missing, f"not on the lineage page {page_url}: {missing} (screenshot {screenshot})"
    assert screenshot.stat().st_size > 20_000


SKIP_DIALOG_AND_EXPAND_GROUPS = """(() => {
  const buttons = [...document.querySelectorAll('button')];
  buttons.filter(b => b.innerText.trim() === 'Skip').forEach(b => b.click());
  if (window.__groupsExpanded) return 'expanded';
  const item = [...document.querySelectorAll('li *')]
    .filter(e => e.innerText.trim().startsWith('Expand all groups')).pop();
  if (item) { item.click(); window.__groupsExpanded = true; return 'expanding'; }
  const settings = buttons.filter(b => b.querySelector('[aria-label="settings"]')).pop();
  if (settings && document.querySelector('[aria-label="zoom_in"]')) { settings.click(); return 'menu'; }
  return 'waiting';
})()"""
