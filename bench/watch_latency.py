#!/usr/bin/env python3
"""Save -> visible latency of `primer-anki preview --watch` on the primer.

Serves a temporary copy of the primer, opens the page in headless Chromium, then appends a
new definition to README.md several times and measures, for each save, the time until the
open page has painted the new card. A script put into the page through DevTools' websocket
watches the page's title (the card count in it changes with the card) and, once it changes,
waits for the next frame to be painted (requestAnimationFrame, then a task) before marking
the title; the title is read from DevTools' /json/list, polled every 2 ms. Each save is
also reported as patched (the cards swapped into the open page) or reloaded, with the
server's own rebuild time.

    python3 bench/watch_latency.py [--bin target/release/primer-anki] [--primer ../shared/primer] [--runs 12]
"""

import argparse
import base64
import json
import os
import shutil
import socket
import statistics
import struct
import subprocess
import tempfile
import threading
import time
import urllib.request

# Marks the title with " ·p" once the frame after a title change has been painted.
PAINTED = """
(function () {
  if (window.pvBench) return true;
  window.pvBench = true;
  var title = document.querySelector('title');
  new MutationObserver(function () {
    if (document.title.endsWith(' ·p')) return;
    requestAnimationFrame(function () {
      setTimeout(function () { document.title += ' ·p'; }, 0);
    });
  }).observe(title, { childList: true, characterData: true, subtree: true });
  return true;
})()
"""


def targets(devtools):
    with urllib.request.urlopen(f"http://127.0.0.1:{devtools}/json/list", timeout=5) as r:
        return [t for t in json.load(r) if t.get("type") == "page"]


def title(devtools):
    pages = targets(devtools)
    return pages[0].get("title") if pages else None


def evaluate(devtools, expression):
    """Runtime.evaluate in the open page over DevTools' websocket (a minimal RFC 6455 client)."""
    url = targets(devtools)[0]["webSocketDebuggerUrl"]
    path = url[url.index("/devtools/"):]
    sock = socket.create_connection(("127.0.0.1", devtools), timeout=60)
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall((f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{devtools}\r\nUpgrade: websocket\r\n"
                  f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                  "Sec-WebSocket-Version: 13\r\n\r\n").encode())
    stream = sock.makefile("rb")
    while stream.readline().strip():
        pass
    call = json.dumps({"id": 1, "method": "Runtime.evaluate",
                       "params": {"expression": expression, "returnByValue": True,
                                  "awaitPromise": True}}).encode()
    head = bytes([0x81]) + (bytes([0x80 | len(call)]) if len(call) < 126
                            else bytes([0x80 | 126]) + struct.pack(">H", len(call)))
    sock.sendall(head + b"\0\0\0\0" + call)
    while True:
        first = stream.read(2)
        length = first[1] & 0x7F
        if length == 126:
            length = struct.unpack(">H", stream.read(2))[0]
        elif length == 127:
            length = struct.unpack(">Q", stream.read(8))[0]
        payload = stream.read(length)
        try:
            reply = json.loads(payload)
        except ValueError:
            continue
        if reply.get("id") == 1:
            sock.close()
            return reply.get("result", {}).get("result", {}).get("value")


def count(title):
    """The card count a page's title starts with ("1778 cards in 5 decks · …"), or 0."""
    word = (title or "").split(" ", 1)[0]
    return int(word) if word.isdigit() else 0


def wait(predicate, limit=60.0, step=0.002):
    start = time.monotonic()
    while time.monotonic() - start < limit:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    return None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", default="target/release/primer-anki")
    parser.add_argument("--primer", default=os.environ.get("PRIMER_DIR", "../shared/primer"))
    parser.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium")
    parser.add_argument("--runs", type=int, default=12)
    args = parser.parse_args()
    work = tempfile.mkdtemp()
    content = os.path.join(work, "primer")
    shutil.copytree(args.primer, content)
    server = subprocess.Popen(
        [args.bin, "preview", "--watch", "--port", "0", "--content", content,
         "--out", os.path.join(work, "preview")],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    browser = None
    builds = []
    try:
        for line in server.stdout:
            if line.startswith("serving "):
                address = line.split()[1]
                break

        def read_builds():
            for line in server.stdout:
                if line.startswith("built in "):
                    builds.append(int(line.split()[2]))
        threading.Thread(target=read_builds, daemon=True).start()
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
        # Let the first load finish its layout and paint before the first save.
        settled = ("new Promise(function (done) { function check() { if (document.readyState"
                   " === 'complete') { requestAnimationFrame(function () { setTimeout(function"
                   " () { done(true); }, 0); }); } else { setTimeout(check, 20); } } check(); })")
        wait(lambda: evaluate(devtools, settled))
        readme = os.path.join(content, "README.md")
        times, reloads = [], 0
        for run in range(args.runs):
            time.sleep(0.5)
            wait(lambda: evaluate(devtools, settled) and evaluate(devtools, PAINTED))
            patches = evaluate(devtools, "window.pvPatches || 0")
            cards = count(title(devtools))
            with open(readme, "a") as f:
                f.write(f"\n## Latency probe {run}\n\n"
                        f"* **Probe {run}** - a line added to time a save until the page shows it.\n")
            saved = time.monotonic()
            wait(lambda: count(title(devtools)) > cards)
            changed = time.monotonic()
            painted = wait(lambda: (t := title(devtools)) and t.endswith(" ·p") and
                           count(t) > cards, limit=3.0)
            done = time.monotonic() if painted else changed
            patched = (evaluate(devtools, "window.pvPatches || 0") or 0) > patches
            reloads += not patched
            took = (done - saved) * 1000
            times.append(took)
            build = f", rebuilt in {builds[-1]} ms" if builds else ""
            print(f"save {run + 1}: {took:.0f} ms ({'patched' if patched else 'reloaded'}; "
                  f"count in title at {(changed - saved) * 1000:.0f} ms{build}) -> "
                  f"{count(title(devtools))} cards")
        print(f"median {statistics.median(times):.0f} ms, min {min(times):.0f} ms, "
              f"max {max(times):.0f} ms over {len(times)} saves ({reloads} reloaded)")
    finally:
        server.kill()
        if browser:
            browser.kill()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
