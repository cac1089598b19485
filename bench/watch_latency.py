#!/usr/bin/env python3
"""Save -> reloaded page latency of `primer-anki preview --watch` on the primer.

Serves a temporary copy of the primer, opens the page in headless Chromium, then appends a
new definition to README.md several times and measures, for each save, the time until
Chromium's open page shows the new card count in its title (the page reloads itself). The
title is read from Chromium's DevTools endpoint (/json/list), polled every 2 ms.

    python3 bench/watch_latency.py [--bin target/release/primer-anki] [--primer ../shared/primer] [--runs 7]
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import tempfile
import time
import urllib.request


def title(devtools):
    with urllib.request.urlopen(f"http://127.0.0.1:{devtools}/json/list", timeout=5) as r:
        for target in json.load(r):
            if target.get("type") == "page":
                return target.get("title")
    return None


def wait(predicate, limit=60.0, step=0.002):
    start = time.monotonic()
    while time.monotonic() - start < limit:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    raise SystemExit("timed out")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", default="target/release/primer-anki")
    parser.add_argument("--primer", default=os.environ.get("PRIMER_DIR", "../shared/primer"))
    parser.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    work = tempfile.mkdtemp()
    content = os.path.join(work, "primer")
    shutil.copytree(args.primer, content)
    server = subprocess.Popen(
        [args.bin, "preview", "--watch", "--port", "0", "--content", content,
         "--out", os.path.join(work, "preview")],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    browser = None
    try:
        for line in server.stdout:
            if line.startswith("serving "):
                address = line.split()[1]
                break
        profile = os.path.join(work, "profile")
        browser = subprocess.Popen(
            [args.chromium, "--headless", "--no-sandbox", "--disable-gpu",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--no-first-run", "--remote-debugging-port=0", f"--user-data-dir={profile}", address],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        port_file = os.path.join(profile, "DevToolsActivePort")
        devtools = int(wait(lambda: os.path.exists(port_file) and open(port_file).readline().strip()))
        shown = wait(lambda: (t := title(devtools)) and "cards" in t and t)
        print(f"page open: {shown}")
        readme = os.path.join(content, "README.md")
        times = []
        for run in range(args.runs):
            time.sleep(0.5)
            with open(readme, "a") as f:
                f.write(f"\n## Latency probe {run}\n\n"
                        f"* **Probe {run}** - a line added to time a save until the page shows it.\n")
            saved = time.monotonic()
            before = shown
            shown = wait(lambda: (t := title(devtools)) and t != before and "cards" in t and t)
            took = (time.monotonic() - saved) * 1000
            times.append(took)
            print(f"save {run + 1}: {took:.0f} ms -> {shown}")
        print(f"median {statistics.median(times):.0f} ms, min {min(times):.0f} ms, max {max(times):.0f} ms")
    finally:
        server.kill()
        if browser:
            browser.kill()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
