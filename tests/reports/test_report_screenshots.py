"""The HTML reports render in headless Chromium (Debian's package) into pictures that are not blank."""

from __future__ import annotations

import subprocess
from datetime import date
from pathlib import Path

import pytest
from PIL import Image

from reports.chargeback import build_chargeback_report
from reports.executive import build_executive_summary
from tests.headless_chromium import INSTALL_HINT, chromium_path
from tests.report_fixtures import build_published

MONTH = date(2026, 10, 1)


@pytest.fixture(scope="module")
def reports(tmp_path_factory) -> dict[str, Path]:
    published = build_published(tmp_path_factory.mktemp("published") / "warehouse.duckdb")
    out = tmp_path_factory.mktemp("reports")
    return {
        "chargeback": build_chargeback_report(published, MONTH, out).html,
        "executive_summary": build_executive_summary(published, MONTH, out).html,
    }


def screenshot(html: Path, png: Path, size: str = "1280,2000") -> None:
    executable = chromium_path()
    if not executable:
        pytest.fail(INSTALL_HINT)
    subprocess.run(
        [
            executable,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            f"--user-data-dir={png.parent / 'chromium-profile'}",
            f"--screenshot={png}",
            f"--window-size={size}",
            html.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=90,
    )


@pytest.mark.parametrize("report", ["chargeback", "executive_summary"])
def test_report_renders_to_a_picture_with_content(reports, report, tmp_path, request):
    png = tmp_path / f"{report}.png"
    screenshot(reports[report], png)
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    (reporter.write_line if reporter else print)(f"{report} report screenshot: {png}")
    with Image.open(png) as image:
        assert image.size == (1280, 2000)
        rgb = image.convert("RGB")
        colours = rgb.getcolors(maxcolors=1 << 20)
        assert colours is not None and len(colours) > 50, "the page rendered as a flat picture"
        # the header band is dark and the body light: the page's own styles were applied
        assert sum(rgb.getpixel((20, 20))) < 200
        assert sum(rgb.getpixel((640, 1990))) > 600
        # the charts drew: the chart area of the page is not a single colour
        band = rgb.crop((60, 300, 1220, 800))
        assert len(band.getcolors(maxcolors=1 << 20)) > 20
