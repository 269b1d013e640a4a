"""Text-to-speech for spoken announcements (tiered response, tier 1): pyttsx3 on its own thread, to WAV files.

pyttsx3's `say()` plays through `aplay`, which many control-room PCs (and this one) lack, and it would
fail silently; so every announcement is rendered to a fresh WAV file and handed to the owner's `play`
callback, which plays it through the console's own audio output. The engine is created and used only on
the speech thread; the caller's thread never waits for speech.

Facts about pyttsx3 2.99's espeak driver this module works around:
- `runAndWait()` after `save_to_file()` returns before espeak has written the file (the synthesis runs on
  espeak's own thread), and the next `save_to_file()` then loses the pending one; so each render waits for
  the engine's `finished-utterance` notification, which comes after the file is written.
- `save_to_file()` keeps its file name for a later `say()`, which overwrites it: every announcement gets a
  new file name, and `say()` is never used.
- It prints "Audio saved to …" from espeak's thread; that print is routed to this module's debug log.
- `pyttsx3.init()` shares one engine per driver in a process and espeak has one synthesis callback, so run
  one `Speaker` per process (the console's annunciator owns it; broadcasts reuse it).
"""

from __future__ import annotations

import logging
import shutil
import sys
import tempfile
import threading
import wave
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import pyttsx3

log = logging.getLogger(__name__)

INSTALL_HINT = "install espeak-ng (apt-get install espeak-ng)"
_DRIVER_NAMES = {"espeak": "espeak-ng"}  # pyttsx3's espeak driver loads libespeak-ng first


class Rendered(NamedTuple):
    """One announcement rendered to a WAV file (kept until `keep_files` newer ones exist, or `close()`)."""

    text: str
    path: Path


class Speaker:
    """Renders announcements on a speech thread, one at a time, paced at speaking speed.

    After handing a file to `play` the thread waits for as long as the audio lasts before it renders the
    next one, so the pending queue is the real backlog of speech; it keeps at most `max_pending`
    announcements and drops the oldest (logged), so a flood never queues minutes of speech.
    `play` is called on the speech thread: the owner marshals it to its own thread.
    """

    def __init__(
        self,
        play: Callable[[Path], None],
        *,
        engine_factory: Callable[[], pyttsx3.Engine] = pyttsx3.init,
        max_pending: int = 5,
        keep_files: int = 20,
        start_timeout_s: float = 5.0,
        render_timeout_s: float = 30.0,
    ) -> None:
        """Start the speech thread and wait (at most `start_timeout_s`) for it to create the engine.

        Never raises for a missing or broken engine: `available` is then False and `status` says why.
        """
        self._play = play
        self._engine_factory = engine_factory
        self._max_pending = max_pending
        self._keep_files = keep_files
        self._render_timeout_s = render_timeout_s
        self._folder = Path(tempfile.mkdtemp(prefix="controlroom-speech-"))
        self._lock = threading.Condition()
        self._pending: deque[str] = deque()
        self._spoken: deque[Rendered] = deque()
        self._closing = False
        self._started = threading.Event()
        self._available = False
        self._status = "speech: starting"
        self._thread = threading.Thread(target=self._run, name="speech", daemon=True)
        self._thread.start()
        self._started.wait(start_timeout_s)

    @property
    def available(self) -> bool:
        """True once the engine runs; False while starting and when it could not start."""
        return self._available

    @property
    def status(self) -> str:
        """One line for the console's status bar: the engine, or why there is no speech and what to do."""
        return self._status

    @property
    def spoken(self) -> list[Rendered]:
        """The latest renders, oldest first, whose files still exist (any thread)."""
        with self._lock:
            return list(self._spoken)

    def say(self, text: str) -> None:
        """Queue an announcement and return at once (any thread); a no-op when speech is unavailable."""
        if not text.strip():
            return
        with self._lock:
            if self._closing or (self._started.is_set() and not self.available):
                return
            self._pending.append(text)
            if len(self._pending) > self._max_pending:
                log.warning("speech backlog over %d: dropped %r", self._max_pending, self._pending.popleft())
            self._lock.notify()

    def close(self, timeout_s: float = 5.0) -> None:
        """Stop the speech thread (pending announcements are dropped) and delete the rendered files."""
        with self._lock:
            self._closing = True
            self._pending.clear()
            self._lock.notify()
        self._thread.join(timeout_s)
        if self._thread.is_alive():
            log.warning("speech thread did not stop within %.1f s; leaving %s", timeout_s, self._folder)
            return
        shutil.rmtree(self._folder, ignore_errors=True)

    def _run(self) -> None:
        """The speech thread: create the engine here, then render until closed."""
        try:
            engine = self._engine_factory()
        except Exception as exc:  # a missing libespeak-ng raises RuntimeError; any failure means no speech
            reason = str(exc) or type(exc).__name__
            self._status = f"speech unavailable: {reason} — {INSTALL_HINT}"
            log.warning("%s", self._status)
            with self._lock:
                self._pending.clear()
            self._started.set()
            return
        _quiet_espeak_driver()
        done = threading.Event()
        token = engine.connect("finished-utterance", lambda **_: done.set())
        self._available = True
        self._status = f"speech: {_DRIVER_NAMES.get(engine.driver_name, engine.driver_name)}"
        self._started.set()
        count = 0
        try:
            while (text := self._next()) is not None:
                count += 1
                path = self._folder / f"announcement-{count:06d}.wav"
                seconds = self._render(engine, done, text, path)
                if seconds is None:
                    continue
                self._record(Rendered(text, path))
                if self._closing:
                    break
                try:
                    self._play(path)
                except Exception:
                    log.exception("playing %s failed", path)
                with self._lock:  # pace: let it be heard before the next one (close() wakes us)
                    self._lock.wait_for(lambda: self._closing, timeout=seconds)
        finally:
            engine.disconnect(token)

    def _next(self) -> str | None:
        """The oldest pending announcement, waiting for one; None once closing."""
        with self._lock:
            self._lock.wait_for(lambda: self._closing or self._pending)
            return None if self._closing else self._pending.popleft()

    def _render(self, engine: pyttsx3.Engine, done: threading.Event, text: str, path: Path) -> float | None:
        """Render `text` to `path`; the audio's length in seconds, or None (logged) when it failed."""
        done.clear()
        try:
            engine.save_to_file(text, str(path))
            engine.runAndWait()
        except Exception:
            log.exception("speech engine failed on %r", text)
            return None
        if not done.wait(self._render_timeout_s):
            log.error("speech engine did not finish %r within %.0f s", text, self._render_timeout_s)
            return None
        try:
            with wave.open(str(path), "rb") as f:
                return f.getnframes() / f.getframerate()
        except (OSError, EOFError, wave.Error) as exc:
            log.error("speech engine wrote no usable WAV for %r: %s", text, exc)
            return None

    def _record(self, rendered: Rendered) -> None:
        """Remember the render; delete the oldest file beyond `keep_files` (played long ago, given pacing)."""
        with self._lock:
            self._spoken.append(rendered)
            while len(self._spoken) > self._keep_files:
                self._spoken.popleft().path.unlink(missing_ok=True)


def _quiet_espeak_driver() -> None:
    """Route the espeak driver's "Audio saved to …" print to the debug log.

    It prints from espeak's synthesis thread, so redirecting sys.stdout around our call would neither
    catch it reliably nor leave other threads' output alone; shadowing `print` in that one module does.
    """
    module = sys.modules.get("pyttsx3.drivers.espeak")
    if module is not None:
        module.print = _driver_print


def _driver_print(*args: object, **_: object) -> None:
    log.debug("pyttsx3: %s", " ".join(map(str, args)))
