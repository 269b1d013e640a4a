"""One worker in detail: who, qualifications, permits, vitals, where and where lately, and "follow".

For the operator or the emergency coordinator who picked a worker on the map or in the worker list. The
static part (identity, certificates, permits) is set when the worker is chosen; the live part (alert,
vitals, position, trail) is refreshed from `WorkerLive` snapshots at the bridge's rate. Only abnormal
values are marked, each by the tier of the rule it breaks (plant_maps.alarm_rules): an SOS or man-down
tier 1, a heart rate out of range and an expired certificate tier 2, a low battery and a certificate
within 30 days of expiry tier 3; a certificate within 90 days is noted in words only. "Follow on map" and
"Show on map" emit intents for the console. All methods run on the Qt thread.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, tzinfo

import numpy as np
from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt, Signal, SignalInstance
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from alarms.definitions import Tier
from alarms.records import AlarmView
from plant_maps.certificates import expiry_warnings, site_day
from plant_maps.geometry import zone_of_points
from plant_maps.permit_lifecycle import TERMINAL
from plant_maps.permits import PermitStatus
from plant_maps.site import Site
from plant_maps.state import WorkerTable
from plant_maps.wearables import Response
from plant_maps.worker_rules import WorkerRuleSettings
from widgets.common.panel_look import command_button, heading_font, section_heading, set_bold
from widgets.common.permit_look import STATE_LOOKS, category_text
from widgets.common.plain_text import ElidedLabel
from widgets.common.tiers import TierMarkers
from widgets.common.time_text import ago_text, clock_text
from widgets.common.wearable_response import alert_word, next_step, response_text

TRAIL_ROWS = 8  # the trail list shows the newest points; the map draws the whole trail (show_trail)
DEFAULT_STALE_AFTER_S = 10.0  # README [workers] stale_after_s
MARK_PX = 12
RESPONSE_LINES = 3  # the response's state and the core's answer; longer, "…" (whole in the tooltip)
LIVE_FIELDS = (  # the fields' names (`live_text` takes them) and, translated, their labels
    QT_TRANSLATE_NOOP("WorkerDetails", "Heart rate"),
    QT_TRANSLATE_NOOP("WorkerDetails", "Skin temperature"),
    QT_TRANSLATE_NOOP("WorkerDetails", "Battery"),
    QT_TRANSLATE_NOOP("WorkerDetails", "Vitals"),
    QT_TRANSLATE_NOOP("WorkerDetails", "Zone"),
    QT_TRANSLATE_NOOP("WorkerDetails", "Position"),
    QT_TRANSLATE_NOOP("WorkerDetails", "Last fix"),
)


@dataclass(frozen=True, slots=True)
class WorkerLive:
    """One worker's live data: last fix and vitals (NaN unknown, timestamps 0 never), tier-1 alert, trail."""

    x: float = math.nan
    y: float = math.nan
    fix_ts: float = 0.0
    accuracy_m: float = math.nan
    zone: str | None = None  # zone id; None outside every zone
    heart_rate: float = math.nan
    skin_temp_c: float = math.nan
    battery_pct: float = math.nan
    vitals_ts: float = 0.0
    alert: str = ""  # the tier-1 wearable alert in words ("SOS", "MAN DOWN"), "" when none
    trail: tuple[tuple[float, float, float], ...] = ()  # recent (ts, x, y), oldest first

    @classmethod
    def from_table(
        cls,
        table: WorkerTable,
        row: int,
        alert: str = "",
        trail: Sequence[tuple[float, float, float]] = (),
    ) -> WorkerLive:
        """The worker at `row` of the core's worker table (read on the Qt thread from a copy)."""
        zone = int(table.zone[row])
        return cls(
            x=float(table.x[row]),
            y=float(table.y[row]),
            fix_ts=float(table.fix_ts[row]),
            accuracy_m=float(table.accuracy[row]),
            zone=table.site.zones[zone].id if zone >= 0 else None,
            heart_rate=float(table.heart_rate[row]),
            skin_temp_c=float(table.skin_temp[row]),
            battery_pct=float(table.battery[row]),
            vitals_ts=float(table.vitals_ts[row]),
            alert=alert,
            trail=tuple(trail),
        )


class _Value(QWidget):
    """A value with room for a tier mark before it; bold when marked."""

    def __init__(self, markers: TierMarkers) -> None:
        super().__init__()
        self._markers = markers
        self.mark, self.text = QLabel(), QLabel()
        self.mark.hide()
        self.text.setWordWrap(True)
        self.tier: Tier | None = None
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(5)
        layout.addWidget(self.mark)
        layout.addWidget(self.text, 1)

    def set(self, text: str, tier: Tier | None = None, bold: bool | None = None) -> None:
        if tier != self.tier:
            self.tier = tier
            if tier is not None:
                self.mark.setPixmap(self._markers.pixmap(tier, MARK_PX, self.devicePixelRatioF()))
            self.mark.setVisible(tier is not None)
        font = self.text.font()
        font.setBold(tier is not None if bold is None else bold)
        self.text.setFont(font)
        self.text.setText(text)


class WorkerDetails(QWidget):
    """One worker's details; `now` is the console's clock, `tz` the plant's time zone (certificate days)."""

    follow_requested = Signal(str)
    show_on_map_requested = Signal(str)
    respond_requested = Signal(str)  # alarm id: the next step of the response to this worker's SOS / man-down
    trend_requested = Signal(str)  # worker id: their heart rate and skin temperature as trend pens

    def __init__(
        self,
        site: Site,
        now: Callable[[], float] = time.time,
        stale_after_s: float = DEFAULT_STALE_AFTER_S,
        settings: WorkerRuleSettings | None = None,
        tz: tzinfo = UTC,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.site = site
        self.stale_after_s = stale_after_s
        self.settings = settings or WorkerRuleSettings()
        self.tz = tz
        self._now = now
        self._markers = TierMarkers()
        self._polygons = [np.asarray(z.polygon, dtype=np.float64) for z in site.zones]
        self._worker: str | None = None
        self.name_label = QLabel()
        heading = heading_font(self)
        self.name_label.setFont(heading)
        self.role_label = QLabel()
        self.alert = _Value(self._markers)
        self.alert.text.setFont(heading)
        self.certificates = QGridLayout()
        self.certificates.setHorizontalSpacing(12)
        self._certificate_rows: list[tuple[str, str, str, str]] = []
        self._certificate_tiers: list[Tier | None] = []
        self.permits_label = QLabel()
        self.permits_label.setWordWrap(True)
        self.live: dict[str, _Value] = {name: _Value(self._markers) for name in LIVE_FIELDS}
        self.trail_label = QLabel()
        self.trail_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.follow_button = command_button(
            self.tr("Follow on map"), self.tr("Keep this worker in the middle of the map as they move")
        )
        self.map_button = command_button(self.tr("Show on map"))
        self.trend_button = command_button(
            self.tr("Trend vitals"), self.tr("Heart rate and skin temperature over time, in the trends")
        )
        self.trend_button.clicked.connect(lambda: self._emit(self.trend_requested))
        self.follow_button.clicked.connect(lambda: self._emit(self.follow_requested))
        # The response to the worker's SOS / man-down, below the scrolled part: always in sight.
        self.response_label = ElidedLabel(lines=RESPONSE_LINES)
        set_bold(self.response_label, True)
        self.respond_button = command_button("")
        self.respond_button.clicked.connect(self._respond)
        self.response_status = ElidedLabel(lines=RESPONSE_LINES)  # the core's answer, quoting what was typed
        self._response_alarm: str | None = None
        self.map_button.clicked.connect(lambda: self._emit(self.show_on_map_requested))
        self._lay_out()
        self.clear()

    # --- data in -------------------------------------------------------------------------------------------

    def set_worker(self, worker_id: str, permits: Sequence[PermitStatus] = ()) -> None:
        """Show this worker: identity, certificates (warnings as of today) and the open permits they are on
        (`permits` may be the whole book). Live data follow with `update_live`."""
        worker = self.site.workers[self.site.worker_index[worker_id]]
        self._worker = worker_id
        self.name_label.setText(f"{worker.name} ({worker.id})")
        role = f"{worker.role} · {worker.company or self.tr('no company')}"
        if worker.wearable:
            role += self.tr(" · band {band}").format(band=worker.wearable)
        self.role_label.setText(role)
        self._fill_certificates()
        self.update_permits(permits)
        self.update_live(WorkerLive())
        self.set_following(False)
        self.follow_button.setEnabled(True)
        self.map_button.setEnabled(True)
        self.trend_button.setEnabled(True)
        self.set_response(None, None)
        self.set_response_status("")

    def update_permits(self, permits: Sequence[PermitStatus]) -> None:
        """The open permits the worker is on, in their state now (`permits` may be the whole book): a
        suspension shows here as it does on the map and in the permit list."""
        if self._worker is None:
            return
        lines = []
        for s in permits:
            p = s.permit
            roles = [
                role
                for role, on in (
                    (self.tr("worker"), self._worker in p.workers),
                    (self.tr("guardian"), self._worker == p.guardian),
                    (self.tr("applicant"), self._worker == p.applicant),
                )
                if on
            ]
            if roles and s.state not in TERMINAL:
                lines.append(
                    f"{p.id}  {category_text(p.category)} — {self.tr(' and ').join(roles)} — "
                    f"{STATE_LOOKS[s.state].text}"
                )
        self.permits_label.setText("\n".join(lines) or self.tr("on no open permit"))

    def update_live(self, live: WorkerLive) -> None:
        """The worker's latest alert, vitals, position and trail."""
        now, s = self._now(), self.settings
        self.alert.set(alert_word(live.alert), Tier.LIFE if live.alert else None)
        self.alert.setVisible(bool(live.alert))
        hr, skin, battery = live.heart_rate, live.skin_temp_c, live.battery_pct
        if math.isfinite(hr):
            off = not s.heart_rate_min <= hr <= s.heart_rate_max
            text = self.tr("{hr:.0f} bpm").format(hr=hr)
            if off:
                text += self.tr(" — outside {low:g}-{high:g} bpm").format(
                    low=s.heart_rate_min, high=s.heart_rate_max
                )
            self.live["Heart rate"].set(text, Tier.HIGH if off else None)
        else:
            self.live["Heart rate"].set("—")
        self.live["Skin temperature"].set(f"{skin:.1f} °C" if math.isfinite(skin) else "—")
        if math.isfinite(battery):
            low = battery < s.low_battery_pct
            text = f"{battery:.0f} %"
            if low:
                text += self.tr(" — low (below {pct:g} %)").format(pct=s.low_battery_pct)
            self.live["Battery"].set(text, Tier.LOW if low else None)
        else:
            self.live["Battery"].set("—")
        vitals = ago_text(now - live.vitals_ts) if live.vitals_ts > 0 else self.tr("none received yet")
        self.live["Vitals"].set(vitals)
        located = live.fix_ts > 0 and math.isfinite(live.x) and math.isfinite(live.y)
        if not located:
            for name in ("Zone", "Position", "Last fix"):
                self.live[name].set(self.tr("never located") if name == "Last fix" else "—")
        else:
            zone = (
                self.site.zone(live.zone).name
                if live.zone in self.site.zone_index
                else self.tr("outside zones")
            )
            accuracy = f" ± {live.accuracy_m:.1f} m" if math.isfinite(live.accuracy_m) else ""
            age = now - live.fix_ts
            stale = age > self.stale_after_s
            self.live["Zone"].set(zone)
            self.live["Position"].set(f"({live.x:.1f}, {live.y:.1f}) m{accuracy}")
            self.live["Last fix"].set(
                ago_text(age) + (self.tr(" — stale, the position may be out of date") if stale else ""),
                bold=stale,
            )
        self.trail_label.setText(self._trail_text(live.trail))

    def set_response(self, view: AlarmView | None, response: Response | None) -> None:
        """The worker's SOS / man-down to act on (None: none) and where its response stands: what it needs
        next is the one button; greyed, the reason is written beside it."""
        self._response_alarm = view.id if view is not None else None
        for widget in (self.response_label, self.respond_button, self.response_status):
            widget.setVisible(view is not None)
        if view is None:
            return
        step = next_step(view, response)
        state = response_text(view, response)
        why = f"\n{step.reason}" if step.reason else ""
        self.response_label.setText(f"{view.id}: {state}{why}")
        self.respond_button.setText(step.label)
        self.respond_button.setEnabled(step.enabled)
        self.respond_button.setToolTip(step.reason)

    def set_response_status(self, text: str, refused: bool = False) -> None:
        """The outcome of the last response step sent from here (a refusal in bold, never in colour)."""
        set_bold(self.response_status, refused)
        self.response_status.setText(text)

    def response_text(self) -> str:
        return self.response_label.text() if not self.response_label.isHidden() else ""

    def set_following(self, following: bool) -> None:
        """Whether the map follows this worker now (the console tells, from the map's `following_changed`)."""
        self.follow_button.setText(self.tr("Following on map") if following else self.tr("Follow on map"))
        self.follow_button.setEnabled(self._worker is not None and not following)

    def clear(self) -> None:
        self._worker = None
        self.name_label.setText(self.tr("No worker selected"))
        self.role_label.setText("")
        self.alert.hide()
        self._set_certificate_rows([])
        self.permits_label.setText("")
        for value in self.live.values():
            value.set("")
        self.trail_label.setText("")
        self.follow_button.setEnabled(False)
        self.map_button.setEnabled(False)
        self.trend_button.setEnabled(False)
        self.set_response(None, None)

    # --- what the operator sees ----------------------------------------------------------------------------

    @property
    def worker_id(self) -> str | None:
        return self._worker

    def certificate_rows(self) -> list[tuple[str, str, str, str]]:
        """(type, number, expires, status) as written, most urgent first."""
        return list(self._certificate_rows)

    def certificate_marks(self) -> list[Tier | None]:
        """The tier mark of each certificate row (None: no mark)."""
        return list(self._certificate_tiers)

    def live_text(self, name: str) -> str:
        """One live field as written: "Heart rate", "Battery", "Last fix", ..."""
        return self.live[name].text.text()

    def live_mark(self, name: str) -> Tier | None:
        return self.live[name].tier

    def alert_text(self) -> str:
        return self.alert.text.text() if not self.alert.isHidden() else ""

    def permits_text(self) -> str:
        return self.permits_label.text()

    def trail_text(self) -> str:
        return self.trail_label.text()

    # --- inside --------------------------------------------------------------------------------------------

    def _fill_certificates(self) -> None:
        worker = self.site.workers[self.site.worker_index[self._worker or ""]]
        today = site_day(self._now(), self.tz)
        warnings = {(w.certificate.type, w.certificate.number): w for w in expiry_warnings([worker], today)}
        rows = []
        for cert in sorted(worker.certificates, key=lambda c: c.expires):
            w = warnings.get((cert.type, cert.number))
            days = (cert.expires - today).days
            if w is not None and w.level == 0:
                status = (
                    self.tr("EXPIRED today") if days == 0 else self.tr("EXPIRED {n} days ago").format(n=-days)
                )
                tier: Tier | None = Tier.HIGH
            elif w is not None and w.level <= 30:
                status, tier = self.tr("expires in {n} days").format(n=days), Tier.LOW
            elif w is not None:
                status, tier = self.tr("expires in {n} days (renew)").format(n=days), None
            else:
                status, tier = self.tr("valid"), None
            rows.append(((cert.type.replace("_", " "), cert.number, cert.expires.isoformat(), status), tier))
        self._set_certificate_rows(rows)

    def _set_certificate_rows(self, rows: list[tuple[tuple[str, str, str, str], Tier | None]]) -> None:
        grid = self.certificates
        while grid.count():
            item = grid.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self._certificate_rows = [texts for texts, _ in rows]
        self._certificate_tiers = [tier for _, tier in rows]
        if not rows:
            return
        for column, title in enumerate(
            (self.tr("Type"), self.tr("Number"), self.tr("Expires"), self.tr("Status"))
        ):
            header = QLabel(title)
            header.setObjectName("CertificateHeader")
            grid.addWidget(header, 0, column)
        for r, (texts, tier) in enumerate(rows, start=1):
            for column, text in enumerate(texts[:3]):
                grid.addWidget(QLabel(text), r, column)
            status = _Value(self._markers)
            status.set(texts[3], tier)
            grid.addWidget(status, r, 3)
        grid.setColumnStretch(3, 1)

    def _trail_text(self, trail: Sequence[tuple[float, float, float]]) -> str:
        if not trail:
            return self.tr("no recent positions")
        recent = np.asarray(trail[-TRAIL_ROWS:], dtype=np.float64)[::-1]
        zones = zone_of_points(recent[:, 1], recent[:, 2], self._polygons)
        lines = []
        for (ts, x, y), zone in zip(recent.tolist(), zones.tolist(), strict=True):
            where = self.site.zones[zone].name if zone >= 0 else self.tr("outside zones")
            lines.append(f"{clock_text(ts)}   ({x:.0f}, {y:.0f}) m   {where}")
        return "\n".join(lines)

    def _respond(self) -> None:
        if self._response_alarm is not None:
            self.respond_requested.emit(self._response_alarm)

    def _emit(self, signal: SignalInstance) -> None:
        if self._worker is not None:
            signal.emit(self._worker)

    def _lay_out(self) -> None:
        body = QWidget()
        inner = QVBoxLayout(body)
        inner.setContentsMargins(6, 6, 6, 6)
        inner.setSpacing(4)
        inner.addWidget(self.name_label)
        inner.addWidget(self.role_label)
        inner.addWidget(self.alert)
        inner.addWidget(section_heading(self.tr("Certificates")))
        inner.addLayout(self.certificates)
        inner.addWidget(section_heading(self.tr("Permits")))
        inner.addWidget(self.permits_label)
        form = QFormLayout()  # one form, so that vitals and position values line up
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for title, names in (
            (self.tr("Vitals"), ("Heart rate", "Skin temperature", "Battery", "Vitals")),
            (self.tr("Position"), ("Zone", "Position", "Last fix")),
        ):
            form.addRow(section_heading(title))
            for name in names:
                form.addRow(self.tr("Received") if name == "Vitals" else self.tr(name), self.live[name])
            if "Vitals" in names:
                form.addRow("", self.trend_button)
        inner.addLayout(form)
        inner.addWidget(section_heading(self.tr("Recent trail")))
        inner.addWidget(self.trail_label)
        inner.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(body)
        buttons = QHBoxLayout()
        buttons.addWidget(self.respond_button)
        buttons.addWidget(self.follow_button)
        buttons.addWidget(self.map_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(4)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.response_label)
        layout.addLayout(buttons)
        layout.addWidget(self.response_status)
