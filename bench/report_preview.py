# -*- coding: utf-8 -*-
"""Preview the fleet report at 1,000 and 10,000 synthetic hosts.

Writes the HTML, CSV and JSON report of each synthetic fleet (tests/unit/report_fleet.py,
compared with its desired state) under .tmp/report-preview/ and prints each file's size in
bytes. When Debian's ``chromium`` is installed it also takes a headless screenshot of each
HTML page (1400 x 2400 pixels, the top of the page), to look at what a browser makes of it.

    .venv/bin/python bench/report_preview.py [--hosts 1000 10000] [--out .tmp/report-preview]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
from pathlib import Path

import sample

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "unit"))
sample.install_collection_finder()

from ansible_collections.mapi.messaging.plugins.plugin_utils import report  # noqa: E402

import report_fleet  # noqa: E402

WINDOW = "1400,2400"


def shown(path):
    """``path`` relative to the checkout when it is inside it, as the docs quote it."""
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def screenshot(browser, page, picture):
    """A headless screenshot of ``page``; the browser's own message when it could not."""
    command = [browser, "--headless", "--disable-gpu", "--no-sandbox", "--hide-scrollbars",
               "--screenshot=%s" % picture, "--window-size=%s" % WINDOW, page.as_uri()]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    if done.returncode or not picture.exists():
        return "screenshot failed (exit %d): %s" % (done.returncode, done.stderr.strip()[-500:])
    return "screenshot %s" % shown(picture)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hosts", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--out", type=Path, default=ROOT / ".tmp" / "report-preview")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    browser = shutil.which("chromium")
    for count in args.hosts:
        records = report_fleet.fleet(count)
        started = time.perf_counter()
        data = report.build(records, report_fleet.DESIRED, generated="synthetic preview",
                            title="MAPISVC.INF fleet report (%s synthetic hosts)" % format(count, ","))
        built = time.perf_counter() - started
        summary = data["summary"]
        print("%s hosts: %s compliant (%s %%), %d straggler groups for %d stragglers, built in %.1f s"
              % (format(count, ","), format(summary["compliant"], ","), summary["compliant_percent"],
                 len(data["straggler_groups"]), len(data["stragglers"]), built))
        for fmt in report.RENDERERS:
            started = time.perf_counter()
            path = args.out / ("report-%d.%s" % (count, fmt))
            path.write_bytes(report.render_bytes(data, fmt))
            print("  %-4s %12s bytes  %s (rendered in %.1f s)"
                  % (fmt, format(path.stat().st_size, ","), shown(path), time.perf_counter() - started))
        if browser:
            print("  " + screenshot(browser, args.out / ("report-%d.html" % count), args.out / ("report-%d.png" % count)))
        else:
            print("  no screenshot: chromium is not installed (apt-get install chromium)")


if __name__ == "__main__":
    main()
