"""Connection status bar: one compact section per source connection, one for the journal, and the time.

Connected is the normal state and shows no colour (ISA-101); connecting is neutral; reconnecting and
disconnected add an amber triangle or a red diamond and bold text, so the state reads without colour. The
journal's section reads like a link's: a grey dot while it saves, the amber triangle and bold "NOT SAVING"
while its database does not commit (the store retries, as a source reconnects).
Updated from the GUI bridge's timer; all methods run on the Qt thread.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import PurePath

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt, QTimer
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QStatusBar, QStyle, QWidget

from widgets.common.plain_text import ElidedLabel
from widgets.common.shapes import Shape, simple_marker
from widgets.common.theme import PALETTE
from widgets.common.time_text import clock_text

QWIDGETSIZE_MAX = (1 << 24) - 1  # Qt's "no maximum"
MESSAGE_SHARE = 0.5  # of the bar's width, the least a command's outcome gets when it needs that much


@dataclass(frozen=True, slots=True)
class StateLook:
    word: str  # the state as the section writes it (a source text: translated when shown)
    marker: str  # the marker in words, as an operator would describe it
    shape: Shape
    fill: str
    outline: str
    bold: bool


STATE_LOOKS = {
    "connecting": StateLook(
        QT_TRANSLATE_NOOP("_ConnectionSection", "connecting"),
        "hollow ring",
        Shape.CIRCLE,
        PALETTE.hollow_fill,
        PALETTE.text_muted,
        False,
    ),
    "connected": StateLook(
        QT_TRANSLATE_NOOP("_ConnectionSection", "connected"),
        "grey dot",
        Shape.CIRCLE,
        PALETTE.marker,
        PALETTE.marker_line,
        False,
    ),
    "reconnecting": StateLook(
        QT_TRANSLATE_NOOP("_ConnectionSection", "reconnecting"),
        "amber triangle",
        Shape.TRIANGLE,
        PALETTE.alarm_2,
        PALETTE.alarm_outline,
        True,
    ),
    "disconnected": StateLook(
        QT_TRANSLATE_NOOP("_ConnectionSection", "disconnected"),
        "red diamond",
        Shape.DIAMOND,
        PALETTE.alarm_1,
        PALETTE.alarm_outline,
        True,
    ),
}


@dataclass(frozen=True, slots=True)
class LinkFacts:
    """What a section says about a link besides its state: its protection, its tags (and how many the
    server refuses) and the devices whose clock is wrong."""

    security: str = ""
    secured: bool = False
    tags: int = 0
    tags_in_error: int = 0
    skewed: tuple[str, ...] = ()

    def words(self, tr: Callable[[str], str]) -> list[str]:
        out = [("\N{LOCK} " if self.secured else "") + self.security] if self.security else []
        if self.tags:
            out.append(
                tr("{0} tags, {1} in error").format(self.tags, self.tags_in_error)
                if self.tags_in_error
                else tr("{0} tags").format(self.tags)
            )
        if self.skewed:
            out.append(tr("clock skew: {0}").format(len(self.skewed)))
        return out


@dataclass(frozen=True, slots=True)
class JournalFacts:
    """What the journal's section says: where the store is and, while it is not saving, since when (None:
    saving), how many journal, alarm and audit rows wait, and why, in the database's words."""

    kind: str  # "sqlite" or "postgresql"
    where: str  # the SQLite file's path, or PostgreSQL's host[:port]/database
    url: str  # password masked
    since: float | None = None
    rows: int = 0
    why: str = ""


JOURNAL = "Journal"  # the journal section's key among the sections


class _ConnectionSection(QWidget):
    """Marker and "name: state · n msgs · n errors" for one connection; tooltip: the last error."""

    def __init__(self) -> None:
        super().__init__()
        self.marker, self.text = QLabel(), ElidedLabel()  # shrinks before the window would grow
        self.look: StateLook | None = None
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 0, 10, 0)
        layout.setSpacing(5)
        layout.addWidget(self.marker)
        layout.addWidget(self.text)

    def least_width(self) -> int:
        """What the section needs for its marker, its name and its state: never capped below that."""
        start = self.text.text().split(" · ")[0]
        margins = self.layout().contentsMargins()
        return (
            self.marker.sizeHint().width()
            + self.layout().spacing()
            + self.text.fontMetrics().horizontalAdvance(start + " …")
            + margins.left()
            + margins.right()
        )

    def set_status(
        self,
        name: str,
        state: str,
        messages: int,
        errors: int,
        last_error: str,
        link: LinkFacts | None = None,
    ) -> None:
        look = STATE_LOOKS.get(state)
        if look is None:
            raise ValueError(f"unknown connection state {state!r} (expected one of {', '.join(STATE_LOOKS)})")
        parts = [self.tr("{name}: {state}").format(name=name, state=self.tr(look.word))]
        if link is not None:
            parts += link.words(self.tr)
        parts += [self.tr("{0} msgs").format(messages), self.tr("{0} errors").format(errors)]
        tip = self.tr("last error: {0}").format(last_error) if last_error else self.tr("no errors")
        if link is not None and link.skewed:
            tip += "\n" + self.tr("clock wrong: {0}").format(", ".join(link.skewed))
        self.show_text(look, " · ".join(parts), tip)

    def set_journal(self, facts: JournalFacts) -> None:
        """Where the journal is saved, or since when it is NOT SAVING and how much waits (tooltip: why)."""
        if facts.since is None:
            if facts.kind == "sqlite":
                place = self.tr("SQLite file {0}").format("…/" + PurePath(facts.where).name)
            else:
                place = self.tr("PostgreSQL {0}").format(facts.where)
            text = self.tr("Journal: saving · {0}").format(place)
            tip = self.tr("Alarms, events and the audit trail are saved to {0}").format(facts.url)
            self.show_text(STATE_LOOKS["connected"], text, tip)
            return
        since = clock_text(facts.since, seconds=False)
        waiting = (
            self.tr("1 row waiting") if facts.rows == 1 else self.tr("{0} rows waiting").format(facts.rows)
        )
        text = self.tr("Journal: NOT SAVING since {0} · {1}").format(since, waiting)
        tip = self.tr(
            "The database has not confirmed a write since {0}: {1}.\n"
            "Nothing is journaled or audited meanwhile: the rows, and the tag history,\n"
            "are kept and written when it answers; closing the console now would lose them.\n{2}"
        ).format(clock_text(facts.since), facts.why, facts.url)
        self.show_text(STATE_LOOKS["reconnecting"], text, tip)

    def show_text(self, look: StateLook, text: str, tip: str) -> None:
        if look != self.look:
            self.look = look
            self.marker.setPixmap(simple_marker(look.shape, look.fill, look.outline))
            font = self.text.font()
            font.setBold(look.bold)
            self.text.setFont(font)
        if text != self.text.text():
            self.text.setText(text)
        self.setToolTip(tip)


def shares(room: int, wanted: Sequence[int], least: Sequence[int], urgent: Sequence[bool]) -> list[int]:
    """Widths for sections that want more than `room` together: the `urgent` ones first, whole if the others
    can still have their `least`; each group shares its room fairly (a section that wants less than an equal
    share keeps all of it, the longest ones are cut), never below `least`."""

    def spread(space: int, picked: list[int]) -> dict[int, int]:
        widths: dict[int, int] = {}
        left = sorted(picked, key=lambda i: wanted[i])
        while left and wanted[left[0]] <= space // len(left):
            i = left.pop(0)
            widths[i] = wanted[i]
            space -= wanted[i]
        return widths | {i: max(least[i], space // len(left)) for i in left}

    first = [i for i, u in enumerate(urgent) if u]
    rest = [i for i, u in enumerate(urgent) if not u]
    widths = spread(room - sum(least[i] for i in rest), first)
    widths |= spread(room - sum(widths.values()), rest)
    return [widths[i] for i in range(len(wanted))]


class ConnectionStatusBar(QStatusBar):
    """`now` is the console's clock (seconds since the epoch), so tests and replays can drive the time.

    The outcome of the last command (`showMessage`) is a label of its own at the left, not Qt's painted
    message, which got the few pixels the sections left and was cut without a sign: while one shows, it and
    the sections share the bar (at least MESSAGE_SHARE of it for the message), each ending in "…" where it
    must, whole in its tooltip. No text widens the window."""

    def __init__(self, parent: QWidget | None = None, now: Callable[[], float] = time.time) -> None:
        super().__init__(parent)
        self.setSizeGripEnabled(False)
        self._now = now
        self._message = ElidedLabel()
        self._message.setContentsMargins(6, 0, 6, 0)
        self.addWidget(self._message, 1)
        self._message_timer = QTimer(self)
        self._message_timer.setSingleShot(True)
        self._message_timer.timeout.connect(self.clearMessage)
        self._sections: dict[str, _ConnectionSection] = {}
        self._clock = QLabel()
        self._clock.setContentsMargins(10, 0, 6, 0)
        self.addPermanentWidget(self._clock)
        self._tick()
        self._timer = QTimer(self)
        self._timer.setInterval(1000)
        self._timer.timeout.connect(self._tick)
        self._timer.start()

    def show_connection(
        self,
        name: str,
        state: str,
        messages: int,
        errors: int,
        last_error: str,
        link: LinkFacts | None = None,
    ) -> None:
        """Show one connection's state ("connecting", "connected", "reconnecting", "disconnected") and, when
        given, its security, tags in error and devices with a wrong clock."""
        self._section(name).set_status(name, state, messages, errors, last_error, link)
        self._fit_message()

    def show_journal(self, facts: JournalFacts) -> None:
        """Show whether the journal is saving, where, or since when it is not (after the links)."""
        self._section(JOURNAL).set_journal(facts)
        self._fit_message()

    def _section(self, name: str) -> _ConnectionSection:
        section = self._sections.get(name)
        if section is None:
            section = self._sections[name] = _ConnectionSection()
            # after the message, the links in order, then the journal, left of the clock
            links = sum(1 for key in self._sections if key != JOURNAL)
            self.insertPermanentWidget(len(self._sections) if name == JOURNAL else links, section)
        return section

    def showMessage(self, text: str, timeout: int = 0) -> None:
        """Show `text` for `timeout` ms (0: until the next one), elided to the room the bar has."""
        self._message.setText(text)
        self._fit_message()
        if timeout > 0:
            self._message_timer.start(timeout)
        else:
            self._message_timer.stop()

    def clearMessage(self) -> None:
        self._message_timer.stop()
        self._message.setText("")
        self._fit_message()

    def currentMessage(self) -> str:
        return self._message.text()

    def message_shown(self) -> str:
        """The message as painted now: what fits, ending in "…" when it goes on."""
        return self._message.shown_lines()[0]

    def message_width(self) -> int:
        return self._message.width()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_message()

    def connection_text(self, name: str) -> str:
        return self._sections[name].text.text()

    def connection_section(self, name: str) -> _ConnectionSection:
        return self._sections[name]

    def connection_look(self, name: str) -> StateLook | None:
        """How the connection's state is drawn (marker, colours, bold)."""
        return self._sections[name].look

    def connection_tooltip(self, name: str) -> str:
        return self._sections[name].toolTip()

    def clock_text(self) -> str:
        return self._clock.text()

    def _fit_message(self) -> None:
        """Share the bar among the message and the sections: a message that shows gets what it needs, up to
        MESSAGE_SHARE of the bar; a section in trouble (bold: a link down, the journal not saving) keeps its
        whole text where the room allows; the other sections share what is left, each at least its name and
        state. Capped, they end in "…" (whole in their tooltips). Caps are maximum widths: they never make the
        bar, or the window, ask for more room."""
        sections = list(self._sections.values())
        caps = [QWIDGETSIZE_MAX] * len(sections)
        if sections:
            text = self._message.text()
            margins = self._message.contentsMargins()
            needed = self._message.fontMetrics().horizontalAdvance(text) + margins.left() + margins.right()
            others = [
                w
                for w in self.findChildren(QWidget, options=Qt.FindChildOption.FindDirectChildrenOnly)
                if w.isVisibleTo(self) and w is not self._message and w not in sections
            ]
            spacing = 2 * self.style().pixelMetric(QStyle.PixelMetric.PM_LayoutHorizontalSpacing) + 12
            room = (
                self.width()
                - (min(needed, round(self.width() * MESSAGE_SHARE)) if text else 0)
                - sum(w.sizeHint().width() + spacing for w in others)
                - spacing * len(sections)
            )
            wanted = [s.sizeHint().width() for s in sections]
            if sum(wanted) > room:
                urgent = [s.look is not None and s.look.bold for s in sections]
                caps = shares(room, wanted, [s.least_width() for s in sections], urgent)
        for section, cap in zip(sections, caps, strict=True):
            section.setMaximumWidth(cap)

    def _tick(self) -> None:
        self._clock.setText(time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(self._now())))
