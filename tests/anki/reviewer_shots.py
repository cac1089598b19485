#!/usr/bin/env python3
"""Photograph cards in Anki's own desktop reviewer and measure what the learner sees.

The Chromium preview renders our template with our stylesheet alone; the real reviewer adds
Anki's reviewer.css and theme variables, and that is what a learner sees. This script runs the
pinned Anki desktop (PyPI `aqt`, Qt WebEngine) in the current X display (the Rust test starts
Xvfb), with a throw-away profile seeded so that no first-run dialog blocks. It imports the
given decks, opens the reviewer on each requested card, in light and night mode and at each
requested width, shows the question and then the answer, saves a screenshot, and reads the
page's computed styles with JavaScript.

Contract with the caller:
  reviewer_shots.py --out DIR --plan PLAN.json DECK.apkg [DECK2.apkg ...]
  PLAN.json: {"widths": [1280, 420], "themes": ["light", "dark"],
              "cases": [{"name": "cloze", "notetype": "Cloze", "html": ["<regex>", ...]}]}
    a case's card is the first card of the first note whose type's name contains `notetype`
    and whose fields (joined) match every regex of `html`;
  * stdout carries exactly one JSON document: {"shots": [{case, theme, width, cid,
    screenshot, measure: {...}}], "errors": [...]}; everything else goes to stderr;
  * exit 0 when the run finished (the Rust side asserts on the JSON), 2 on usage errors, 1 if
    Anki could not start or the run crashed or timed out.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
import traceback

_JSON_OUT = sys.stdout
sys.stdout = sys.stderr
# Anki's error handler replaces sys.stderr and shows a modal dialog for whatever is written to
# it; our progress lines go to the real stream instead.
_LOG = sys.__stderr__


def log(message: str) -> None:
    print(f"reviewer_shots: {message}", file=_LOG, flush=True)

# Everything the page measures, in one JSON string. Colours are read as computed `rgb(...)`
# strings and compared on the Rust side; sizes are CSS pixels.
MEASURE_JS = r"""
(function () { try {
  function style(el) { return el ? getComputedStyle(el) : null; }
  function pick(el, props) {
    var s = style(el); if (!s) return null;
    var out = {}; props.forEach(function (p) { out[p] = s.getPropertyValue(p); }); return out;
  }
  // The colour that is actually painted behind an element: the first ancestor (or itself)
  // with a non-transparent background, else the page's.
  function backdrop(el) {
    for (var e = el; e; e = e.parentElement) {
      var bg = getComputedStyle(e).backgroundColor;
      if (bg && bg !== 'transparent' && bg !== 'rgba(0, 0, 0, 0)') return bg;
    }
    return getComputedStyle(document.documentElement).backgroundColor;
  }
  var body = document.body, qa = document.getElementById('qa');
  var card = document.querySelector('.card') || body;
  var pre = document.querySelector('#qa pre');
  var cloze = document.querySelector('#qa .cloze');
  var link = document.querySelector('#qa a:not(.attribution a)');
  var attribution = document.querySelector('#qa .attribution');
  var text = document.querySelector('#qa .pa-question') || qa;
  var imgs = Array.prototype.slice.call(document.querySelectorAll('#qa img'));
  return JSON.stringify({
    html_class: document.documentElement.className,
    body_class: body.className,
    inner_width: window.innerWidth,
    scroll_width: document.documentElement.scrollWidth,
    body_scroll_width: body.scrollWidth,
    page_bg: backdrop(qa),
    body_bg: style(body).backgroundColor,
    card_bg: style(card).backgroundColor,
    fg: style(text).color,
    body_font_size: style(text).fontSize,
    pre: pre ? Object.assign(pick(pre, ['background-color', 'border-top-width',
      'border-top-style', 'border-top-color', 'color']), {backdrop: backdrop(pre.parentElement)}) : null,
    cloze: cloze ? pick(cloze, ['color', 'background-color', 'font-weight',
      'border-bottom-width', 'border-bottom-style', 'text-decoration-line']) : null,
    link: link ? pick(link, ['color', 'background-color', 'font-weight',
      'border-bottom-width', 'border-bottom-style', 'text-decoration-line']) : null,
    attribution: attribution ? {font_size: style(attribution).fontSize,
      color: style(attribution).color, width: attribution.getBoundingClientRect().width} : null,
    images: imgs.map(function (img) {
      var r = img.getBoundingClientRect();
      return {src: img.getAttribute('src'), complete: img.complete,
        natural_width: img.naturalWidth, width: r.width, right: r.right,
        background: style(img).backgroundColor, backdrop: backdrop(img),
        in_diagram: !!img.closest('.diagram')};
    })
  });
  } catch (e) { return JSON.stringify({error: String(e && e.stack || e)}); }
})()
"""

# True once the reviewer shows the expected side of the expected card (Anki's reviewer.js
# updates the page asynchronously; the marker comes from `mark_shown`) and every image of it
# has loaded or failed, so measures and screenshots see the final layout.
IMAGES_SETTLED_JS = r"""
(document.getElementById('pa-shown') || {dataset: {}}).dataset.key === '%s'
  && Array.prototype.every.call(document.querySelectorAll('#qa img'), function (i) { return i.complete; })
  && document.readyState === 'complete'
"""


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="folder for the screenshots")
    parser.add_argument("--plan", required=True, help="JSON file: widths, themes, cases")
    parser.add_argument("decks", nargs="+", help=".apkg files to import")
    return parser.parse_args()


def seed_profile(base: str) -> None:
    """A profile folder Anki opens without the first-run language dialog or profile chooser."""
    from aqt.profiles import ProfileManager

    pm = ProfileManager(base)
    pm.setupMeta()
    pm.setLang("en_US")
    pm.create("review")
    pm.meta["firstRun"] = False
    pm.meta["updates"] = False
    pm.meta["check_for_addon_updates"] = False
    pm.meta["last_loaded_profile_name"] = "review"
    pm.db.execute(
        "update profiles set data = ? where name = '_global'", pm._pickle(pm.meta)
    )
    pm.db.commit()
    pm.db.close()


class Driver:
    """Steps through every (theme, width, case) once the main window has a profile open."""

    def __init__(self, mw, plan: dict, decks: list[str], out: str) -> None:
        self.mw = mw
        self.plan = plan
        self.decks = decks
        self.out = out
        self.shots: list[dict] = []
        self.errors: list[str] = []
        self.steps = [
            (theme, width, case)
            for theme in plan["themes"]
            for width in plan["widths"]
            for case in plan["cases"]
        ]
        self.cards: dict[str, int] = {}

    def start(self) -> None:
        from anki.import_export_pb2 import ImportAnkiPackageOptions, ImportAnkiPackageRequest

        col = self.mw.col
        options = ImportAnkiPackageOptions(with_scheduling=False, with_deck_configs=False)
        for deck in self.decks:
            col.import_anki_package(ImportAnkiPackageRequest(package_path=deck, options=options))
        col.models._clear_cache()
        self.pick_cards(col)
        # The reviewer needs a deck with cards to study; any imported card's deck will do.
        first = next(iter(self.cards.values()), None)
        if first is None:
            return self.finish()
        col.decks.select(col.get_card(first).did)
        self.mw.moveToState("review")
        self.theme = None
        self.next_step()

    def pick_cards(self, col) -> None:
        """For each case, the first card (lowest id) of the first note whose fields match every
        regex of the case (and whose note type's name contains `notetype`, if given)."""
        notes = []
        for nid in sorted(col.find_notes("")):
            note = col.get_note(nid)
            notes.append((note, note.note_type()["name"], "\n".join(note.fields)))
        for case in self.plan["cases"]:
            patterns = [re.compile(p) for p in case.get("html", [])]
            for note, notetype, html in notes:
                if case.get("notetype", "") not in notetype:
                    continue
                if all(p.search(html) for p in patterns):
                    self.cards[case["name"]] = min(c.id for c in note.cards())
                    break
            else:
                self.errors.append(f"case {case['name']}: no note matches {case}")

    def next_step(self) -> None:
        from aqt.qt import QTimer
        from aqt.theme import Theme

        while self.steps and self.steps[0][2]["name"] not in self.cards:
            self.steps.pop(0)
        if not self.steps:
            return self.finish()
        theme, width, case = self.steps.pop(0)
        self.step = {"case": case["name"], "theme": theme, "width": width}
        log(str(self.step))
        reviewer = self.mw.reviewer
        reviewer.card = self.mw.col.get_card(self.cards[case["name"]])
        reviewer.card.start_timer()
        self.step["cid"] = reviewer.card.id
        if theme != self.theme:
            self.theme = theme
            self.mw.set_theme(Theme.DARK if theme == "dark" else Theme.LIGHT)
            # The reviewer page carries the theme in its <html> class: build it anew.
            reviewer._initWeb()
        self.mw.resize(width, 900)
        reviewer._showQuestion()

        def answer() -> None:
            reviewer._showAnswer()
            self.wait_for_images(tries=80)

        QTimer.singleShot(300, answer)

    def wait_for_images(self, tries: int) -> None:
        from aqt.qt import QTimer

        def settled(done) -> None:
            log(f"images settled: {done!r}")
            if not done and tries <= 0:
                self.errors.append(f"{self.step}: the answer never settled on screen")
            if done or tries <= 0:
                QTimer.singleShot(400, self.measure)
                return
            # On a loaded machine the first answer can be asked for before the freshly built
            # reviewer page is ready to take it, and then it is never shown: ask again now
            # and then instead of waiting for nothing. Once, the page itself came up without
            # its scripts (`_showQuestion is not defined`), and asking again could never
            # work: from the second time on, the page is built anew and the card shown on it
            # from the question.
            if tries % 20 == 0 and tries >= 60:
                log("answer not on screen yet: showing it again")
                self.mw.reviewer._showAnswer()
            elif tries % 20 == 0:
                log("answer still not on screen: building the reviewer page anew")
                reviewer = self.mw.reviewer
                reviewer._initWeb()
                QTimer.singleShot(1000, reviewer._showQuestion)
                QTimer.singleShot(1500, reviewer._showAnswer)
                QTimer.singleShot(1800, lambda: self.wait_for_images(tries - 1))
                return
            QTimer.singleShot(150, lambda: self.wait_for_images(tries - 1))

        expected = f"{self.step['cid']}-reviewAnswer"
        QTimer.singleShot(
            250,
            lambda: self.mw.reviewer.web.evalWithCallback(IMAGES_SETTLED_JS % expected, settled),
        )

    def measure(self) -> None:
        log("measuring")
        def measured(result) -> None:
            log(f"measured {str(result)[:200]}")
            try:
                self.step["measure"] = json.loads(result) if result else None
                name = f"{self.step['case']}-{self.step['theme']}-{self.step['width']}.png"
                path = os.path.join(self.out, name)
                self.mw.grab().save(path)
                self.step["screenshot"] = path
                self.shots.append(self.step)
            except Exception:
                self.errors.append(traceback.format_exc())
            self.next_step()

        self.mw.reviewer.web.evalWithCallback(MEASURE_JS, measured)

    def finish(self) -> None:
        _JSON_OUT.write(json.dumps({"shots": self.shots, "errors": self.errors}))
        _JSON_OUT.flush()
        self.mw.unloadProfileAndExit()
        # Anki's exit path may wait on background work; a test run must end.
        from aqt.qt import QTimer

        QTimer.singleShot(5000, lambda: os._exit(0))


DRIVERS: list[Driver] = []


def mark_shown(text: str, card, kind: str) -> str:
    """Tags what the reviewer shows with the card and side, for IMAGES_SETTLED_JS."""
    return f'{text}<span id="pa-shown" hidden data-key="{card.id}-{kind}"></span>'


def start_watchdog(out: str) -> None:
    """If the run is stuck (a dialog Anki opened, a page that never answers), report what is
    on screen and end the process: a test must fail with a reason, not hang."""
    from aqt.qt import QApplication, QTimer

    def expire() -> None:
        windows = [
            f"{type(w).__name__}: {w.windowTitle()!r}"
            for w in QApplication.topLevelWidgets()
            if w.isVisible()
        ]
        path = os.path.join(out, "stuck.png")
        QApplication.primaryScreen().grabWindow(0).save(path)
        log(f"timed out; visible windows: {windows}; screen: {path}")
        _JSON_OUT.write(json.dumps({"shots": [], "errors": [f"timed out; visible: {windows}"]}))
        _JSON_OUT.flush()
        os._exit(1)

    timer = QTimer(QApplication.instance())
    timer.setSingleShot(True)
    timer.timeout.connect(expire)
    timer.start(int(os.environ.get("PA_REVIEWER_TIMEOUT_MS", "150000")))


def main() -> int:
    args = parse_args()
    try:
        with open(args.plan, encoding="utf8") as f:
            plan = json.load(f)
    except (OSError, ValueError) as err:
        print(f"reviewer_shots: cannot read plan {args.plan}: {err}", file=sys.stderr)
        return 2
    missing = [d for d in args.decks if not os.path.isfile(d)]
    if missing:
        print(f"reviewer_shots: no such deck: {', '.join(missing)}", file=sys.stderr)
        return 2
    os.makedirs(args.out, exist_ok=True)
    # Qt WebEngine refuses to run its sandbox as root (CI runs as root) and has no GPU here.
    os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")
    os.environ.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--disable-gpu --no-sandbox")
    os.environ.setdefault("ANKI_SOFTWAREOPENGL", "1")
    os.environ.setdefault("QT_QPA_PLATFORM", "xcb")

    import aqt
    from aqt import gui_hooks
    from aqt.qt import QTimer

    base = tempfile.mkdtemp(prefix="pa-reviewer-")
    seed_profile(base)
    decks = [os.path.abspath(d) for d in args.decks]
    out = os.path.abspath(args.out)

    def on_profile_open() -> None:
        log("profile open")
        driver = Driver(aqt.mw, plan, decks, out)
        # PyQt holds bound methods given to timers weakly: keep the driver alive.
        DRIVERS.append(driver)

        def run() -> None:
            try:
                driver.start()
            except Exception:
                driver.errors.append(traceback.format_exc())
                driver.finish()

        QTimer.singleShot(500, run)

    gui_hooks.profile_did_open.append(on_profile_open)
    gui_hooks.card_will_show.append(mark_shown)
    gui_hooks.main_window_did_init.append(lambda: start_watchdog(out))
    aqt._run(["anki", "-b", base, "-p", "review"])
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except SystemExit:
        raise
    except BaseException:
        traceback.print_exc()
        sys.exit(1)
