"""A worker's details as the operator reads them: qualifications with their warnings, permits, vitals with
the abnormal ones marked, where and how fresh, the recent trail, and "follow on map"."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from alarms.definitions import Tier
from plant_maps.certificates import site_day
from plant_maps.permit_lifecycle import PermitState
from plant_maps.site import Certificate, Site
from tests.widgets.support import colour_count, pixels, statuses, themed, worker_table
from widgets.common.theme import PALETTE
from widgets.workers.worker_details import WorkerDetails, WorkerLive

NOW = time.time()


def with_certificates(site: Site, worker_id: str, days: list[int]) -> Site:
    """The site with `worker_id` holding one certificate per entry, expiring that many days from today."""
    today = site_day(NOW)
    certs = tuple(Certificate(f"cert_{d}", f"N-{i}", today + timedelta(days=d)) for i, d in enumerate(days))
    workers = tuple(replace(w, certificates=certs) if w.id == worker_id else w for w in site.workers)
    return replace(site, workers=workers)


Make = Callable[[Site], WorkerDetails]


@pytest.fixture()
def make(qtbot: QtBot) -> Make:
    def make(site: Site) -> WorkerDetails:
        details = WorkerDetails(site, lambda: NOW)
        qtbot.addWidget(details)
        themed(details)
        details.resize(520, 820)
        details.show()
        qtbot.waitExposed(details)
        return details

    return make


def test_certificates_warn_at_90_and_30_days_and_when_expired(make: Make, site: Site) -> None:
    details = make(with_certificates(site, "W05", [400, 85, 20, 0, -3]))
    details.set_worker("W05")
    rows = details.certificate_rows()
    assert [r[3] for r in rows] == [
        "EXPIRED 3 days ago",
        "EXPIRED today",  # GB 30871 qualifications: no longer valid on the expiry day itself
        "expires in 20 days",
        "expires in 85 days (renew)",
        "valid",
    ]
    assert details.certificate_marks() == [Tier.HIGH, Tier.HIGH, Tier.LOW, None, None]
    assert rows[0][:3] == ("cert -3", "N-4", (site_day(NOW) - timedelta(days=3)).isoformat())
    assert isinstance(date.fromisoformat(rows[-1][2]), date)


def test_identity_and_the_open_permits_the_worker_is_on(make: Make, site: Site) -> None:
    details = make(site)
    hot = next(s for s in statuses(site) if s.id == "PTW-HW-001")
    worker = hot.permit.workers[0]
    details.set_worker(worker, statuses(site, **{"PTW-TE-006": (PermitState.CLOSED, "")}))
    w = site.workers[site.worker_index[worker]]
    assert details.name_label.text() == f"{w.name} ({w.id})"
    assert details.role_label.text().startswith(f"{w.role} · {w.company}")
    assert "PTW-HW-001  HW Hot work — worker — Active" in details.permits_text().split("\n")
    details.set_worker(hot.permit.guardian, statuses(site))
    assert "PTW-HW-001  HW Hot work — guardian — Active" in details.permits_text().split("\n")
    over = {"PTW-TE-006": (PermitState.CLOSED, ""), "PTW-HW-009": (PermitState.CANCELLED, "")}
    details.set_worker("W05", statuses(site, **over))
    assert details.permits_text() == "on no open permit"  # a closed or cancelled permit is over


def test_vitals_mark_low_battery_and_heart_rate_out_of_range(make: Make, site: Site) -> None:
    details = make(site)
    details.set_worker("W07")
    details.update_live(WorkerLive(heart_rate=76.0, skin_temp_c=36.4, battery_pct=54.0, vitals_ts=NOW - 3))
    assert details.live_text("Heart rate") == "76 bpm" and details.live_mark("Heart rate") is None
    assert details.live_text("Battery") == "54 %" and details.live_mark("Battery") is None
    assert details.live_text("Skin temperature") == "36.4 °C"
    assert details.live_text("Vitals") == "3 s ago"
    details.update_live(WorkerLive(heart_rate=164.0, battery_pct=7.0, vitals_ts=NOW - 3))
    assert details.live_text("Heart rate") == "164 bpm — outside 40-150 bpm"
    assert details.live_mark("Heart rate") is Tier.HIGH
    assert details.live_text("Battery") == "7 % — low (below 10 %)"
    assert details.live_mark("Battery") is Tier.LOW
    assert details.live["Battery"].text.font().bold()
    assert details.live_text("Skin temperature") == "—"


def test_position_its_age_and_the_trail_newest_first(make: Make, site: Site) -> None:
    details = make(site)
    details.set_worker("W03")
    trail = ((NOW - 30, 40.0, 60.0), (NOW - 20, 45.0, 62.0), (NOW - 10, 200.0, 180.0))
    table = worker_table(site, NOW, fixes={"W03": (200.0, 180.0, 4.0)})
    details.update_live(WorkerLive.from_table(table, site.worker_index["W03"], trail=trail))
    assert details.live_text("Zone") == "Reactor unit"
    assert details.live_text("Position") == "(200.0, 180.0) m ± 0.5 m"
    assert details.live_text("Last fix") == "4 s ago"
    lines = details.trail_text().split("\n")
    assert len(lines) == 3
    assert lines[0].endswith("(200, 180) m   Reactor unit")
    assert lines[-1].endswith("(40, 60) m   Loading bay")
    details.update_live(
        WorkerLive.from_table(worker_table(site, NOW, fixes={"W03": (200.0, 180.0, 45.0)}), 2)
    )
    assert details.live_text("Last fix").startswith("45 s ago — stale")
    details.update_live(WorkerLive())
    assert (details.live_text("Zone"), details.live_text("Last fix")) == ("—", "never located")
    assert details.trail_text() == "no recent positions"


def test_follow_and_show_on_map_emit_the_worker(qtbot: QtBot, make: Make, site: Site) -> None:
    details = make(site)
    assert not details.follow_button.isEnabled()  # nobody chosen yet
    details.set_worker("W07")
    with qtbot.waitSignal(details.follow_requested, timeout=1000) as follow:
        qtbot.mouseClick(details.follow_button, Qt.MouseButton.LeftButton)
    assert follow.args == ["W07"]
    details.set_following(True)
    assert details.follow_button.text() == "Following on map" and not details.follow_button.isEnabled()
    details.set_following(False)
    assert details.follow_button.isEnabled()
    with qtbot.waitSignal(details.show_on_map_requested, timeout=1000) as shown:
        qtbot.mouseClick(details.map_button, Qt.MouseButton.LeftButton)
    assert shown.args == ["W07"]


def test_an_sos_is_said_with_the_tier_1_mark_and_calm_details_are_grey(
    make: Make,
    site: Site,
    tmp_path: Path,
) -> None:
    details = make(with_certificates(site, "W07", [400]))
    details.set_worker("W07")
    details.update_live(WorkerLive(heart_rate=80.0, battery_pct=60.0, vitals_ts=NOW))
    assert details.alert_text() == ""
    shown = pixels(details, tmp_path / "worker_details.png")
    saturation = shown.max(axis=2).astype(int) - shown.min(axis=2)
    assert saturation.max() <= 24
    details.update_live(WorkerLive(heart_rate=80.0, battery_pct=60.0, vitals_ts=NOW, alert="SOS"))
    assert details.alert_text() == "SOS"
    assert colour_count(pixels(details, tmp_path / "worker_details_sos.png"), PALETTE.alarm_1) >= 20
