"""Every alarm-system KPI on a journal built by hand, with the exact numbers, on SQLite and PostgreSQL.

The 12-hour shift (08:00-20:00 UTC) and what happens in it, alarm by alarm (in the demo site's tank farm and
reactor unit):
- Floods: 12 alarms raised in the 3rd 10-min period (F01-F12, tank farm), 6 in the 4th (G01-G06), 4 in the
  5th (G07-G10), 11 in the 11th (K01-K11, reactor unit). With EEMUA's hysteresis the 3rd and 4th periods are in
  flood (6 is not below 5), the 5th is not; the 11th is: 3 of 72 periods.
- Acknowledgements: F after 20 s, G01-G10 after 100, 110, ... 190 s, S2 after 45 s, P1 after 300 s; K, C1,
  C2 never. H1 is shelved 60 s after it was raised (a first response, not an acknowledgement).
- Chattering: C1 raised 3 times in 50 s. C2 raised 3 times in 70 s (not chattering), its first occurrence
  cleared after 2 s (fleeting).
- At the end: S1 standing since two days before (stale), S2 standing since 19:00; H1 shelved by li.wei,
  P1 suppressed (zone isolated), O1 out of service since three days before (zhang.min); H2 was shelved and
  unshelved within the shift. Rows after the end (S2 clears, a raise of F01) change nothing.
- Permits: 3 issued, 3 suspensions (2 "gas test failed", 1 "SOS in zone"), one expired while suspended,
  two closed, one expired before it was ever approved. Cameras: 40 detections, 1 marked false.
"""

from __future__ import annotations

import pytest

from alarms.definitions import Priority
from alarms.kpis import AlarmAtEnd, Light
from integrations.alarm_kpis import kpi_report
from integrations.storage import Store
from tests.journal_builder import JournalBuilder

T0 = 1_800_000_000.0  # 08:00 UTC
END = T0 + 12 * 3600
DAY = 86400.0
CHINA = 8 * 3600.0  # the heat map on the site's clock


def shift_journal() -> JournalBuilder:
    j = JournalBuilder()
    for i in range(1, 13):
        j.alarm(f"F{i:02d}", "tank_farm")
        j.raise_(f"F{i:02d}", T0 + 1200 + 10 * i)
        j.ack(f"F{i:02d}", T0 + 1200 + 10 * i + 20)
        j.clear(f"F{i:02d}", T0 + 1200 + 10 * i + 25)
    for i in range(1, 11):
        j.alarm(f"G{i:02d}", "tank_farm", Priority.MEDIUM)
        raised = T0 + (1800 + 10 * i if i <= 6 else 2400 + 10 * i)
        j.raise_(f"G{i:02d}", raised)
        j.ack(f"G{i:02d}", raised + 90 + 10 * i)
        j.clear(f"G{i:02d}", raised + 95 + 10 * i)
    for i in range(1, 12):
        j.alarm(f"K{i:02d}", "reactor_unit")
        j.raise_(f"K{i:02d}", T0 + 6000 + 20 * i)
        j.clear(f"K{i:02d}", T0 + 6000 + 20 * i + 30)
    j.alarm("C1", "reactor_unit")
    j.alarm("C2", "reactor_unit")
    for raised in (7200, 7220, 7250):
        j.raise_("C1", T0 + raised)
        j.clear("C1", T0 + raised + 10)
    for raised, back in ((9000, 2), (9040, 10), (9070, 10)):
        j.raise_("C2", T0 + raised)
        j.clear("C2", T0 + raised + back)
    j.alarm("S1", "tank_farm", Priority.HIGH)
    j.raise_("S1", T0 - 2 * DAY)
    j.alarm("S2", "reactor_unit", Priority.URGENT)
    j.raise_("S2", T0 + 11 * 3600)
    j.ack("S2", T0 + 11 * 3600 + 45)
    j.clear("S2", END + 10)
    j.alarm("H1", "tank_farm", Priority.HIGH)
    j.raise_("H1", T0 + 3600)
    j.shelve("H1", T0 + 3660, "li.wei", "maintenance", until=T0 + 3660 + 8 * 3600)
    j.alarm("H2", "reactor_unit")
    j.raise_("H2", T0 - 100)
    j.shelve("H2", T0 + 1000, "wang.fang", "known fault", until=T0 + 5000)
    j.clear("H2", T0 + 1500)
    j.unshelve("H2", T0 + 2000, "wang.fang")
    j.alarm("P1", "reactor_unit", Priority.HIGH)
    j.raise_("P1", T0 + 5 * 3600)
    j.ack("P1", T0 + 5 * 3600 + 300)
    j.suppress("P1", T0 + 5.5 * 3600, "zone isolated")
    j.alarm("O1", "tank_farm")
    j.remove_from_service("O1", T0 - 3 * DAY, "zhang.min", "sensor replaced")
    j.raise_("F01", END + 5)
    _permits(j)
    for i in range(40):
        j.event("vision_detection", T0 + 600 * i, "CAM-01", {"id": f"d{i}", "class": "no_helmet", "zone": 1})
    j.event("vision_detection", T0 - 10, "CAM-01", {"id": "early", "class": "no_helmet", "zone": 1})
    j.event(
        "vision_false", T0 + 700, "CAM-01", {"detection": "d1", "zone": 1, "class": "no_helmet"}, "li.wei"
    )
    return j


def _permits(j: JournalBuilder) -> None:
    for permit in ("PTW-1", "PTW-2", "PTW-3"):
        j.permit(permit, T0 + 100, "approve", "pending_approval", "approved")
        j.permit(permit, T0 + 200, "activate", "approved", "active")
    j.permit("PTW-1", T0 + 300, "suspend", "active", "suspended", "gas test failed")
    j.permit("PTW-1", T0 + 400, "resume", "suspended", "active")
    j.permit("PTW-1", T0 + 500, "close", "active", "closed", "work done")
    j.permit("PTW-2", T0 + 300, "suspend", "active", "suspended", "SOS in zone")
    j.permit("PTW-2", T0 + 4000, "expire", "suspended", "expired", "validity ended at 09:06")
    j.permit("PTW-3", T0 + 600, "close", "active", "closed", "work done")
    j.permit("PTW-4", T0 + 700, "expire", "pending_approval", "expired", "validity ended at 08:11")
    j.permit("PTW-5", T0 + 800, "suspend", "active", "suspended", "gas test failed")


@pytest.fixture()
def shift(store: Store) -> Store:
    shift_journal().write(store)
    return store


def values(report: object) -> dict[str, float | None]:
    return {k.key: k.value for k in report.kpis}  # type: ignore[attr-defined]


def test_the_site_shift_has_the_numbers_counted_by_hand(shift: Store) -> None:
    report = kpi_report(shift, T0, END, utc_offset_s=CHINA)
    v = values(report)
    assert v["alarms_raised"] == 42
    assert v["alarms_per_10min_avg"] == pytest.approx(42 / 72)
    assert v["alarms_per_10min_peak"] == 12
    assert v["alarms_per_hour_avg"] == pytest.approx(3.5)
    assert v["alarms_per_hour_peak"] == 22  # 08:00-09:00: 12 + 6 + 4
    assert v["flood_periods"] == 3
    assert v["flood_time_pct"] == pytest.approx(100 * 3 / 72)
    assert v["bad_actors_share_pct"] == pytest.approx(100 * 14 / 42)  # C1 3, C2 3, F01-F08 1 each
    assert report.bad_actors[:3] == (("C1", 3, 3 / 42), ("C2", 3, 3 / 42), ("F01", 1, 1 / 42))
    assert [a for a, _, _ in report.bad_actors[2:]] == [f"F{i:02d}" for i in range(1, 9)]
    assert (v["chattering_alarms"], v["fleeting_alarms"]) == (1, 1)
    assert (v["priority_low_pct"], v["priority_medium_pct"]) == (
        pytest.approx(100 * 29 / 42),
        pytest.approx(100 * 10 / 42),
    )
    assert (v["priority_high_pct"], v["priority_urgent_pct"]) == (
        pytest.approx(100 * 2 / 42),
        pytest.approx(100 / 42),
    )


def test_the_flood_rate_series_holds_every_period(shift: Store) -> None:
    report = kpi_report(shift, T0, END)
    assert len(report.rate) == 72
    assert report.rate[0] == (T0, 0)
    assert [n for _, n in report.rate[2:7]] == [12, 6, 4, 0, 1]  # H1 at 09:00
    assert report.rate[10] == (T0 + 6000, 11)
    assert sum(n for _, n in report.rate) == 42


def test_times_to_acknowledge_and_to_first_response(shift: Store) -> None:
    v = values(kpi_report(shift, T0, END))
    # acknowledged: 20 s x 12, 45, 100 ... 190, 300 (24 occurrences); + H1's shelve at 60 s for the response
    assert v["ack_median_s"] == pytest.approx(32.5)  # between the 12th (20) and 13th (45)
    assert v["ack_p90_s"] == pytest.approx(177.0)  # rank 20.7: 170 + 0.7 x 10
    assert v["ack_within_pct"] == pytest.approx(100 * 13 / 42)
    assert v["response_median_s"] == pytest.approx(45.0)
    assert v["response_p90_s"] == pytest.approx(176.0)  # rank 21.6: 170 + 0.6 x 10
    assert v["response_within_pct"] == pytest.approx(100 * 14 / 42)


def test_standing_and_hidden_alarms_at_the_end_with_who_and_since_when(shift: Store) -> None:
    report = kpi_report(shift, T0, END)
    v = values(report)
    assert (v["standing_alarms"], v["stale_alarms"]) == (2, 1)
    assert [(a.alarm_id, a.state, a.since) for a in report.standing] == [
        ("S1", "unack", T0 - 2 * DAY),
        ("S2", "acked", T0 + 11 * 3600),
    ]
    assert (v["shelved_alarms"], v["suppressed_alarms"], v["out_of_service_alarms"]) == (1, 1, 1)
    assert report.hidden == (
        AlarmAtEnd("H1", "tank_farm", "shelved", T0 + 3660, "li.wei", "maintenance", T0 + 3660 + 8 * 3600),
        AlarmAtEnd("P1", "reactor_unit", "suppressed", T0 + 5.5 * 3600, "", "zone isolated", None),
        AlarmAtEnd("O1", "tank_farm", "out_of_service", T0 - 3 * DAY, "zhang.min", "sensor replaced", None),
    )


def test_permits_and_camera_detections(shift: Store) -> None:
    report = kpi_report(shift, T0, END)
    v = values(report)
    assert (v["permits_issued"], v["permits_suspended"], v["permits_expired"]) == (3, 3, 1)
    assert v["permit_timeout_pct"] == pytest.approx(100 / 3)
    assert report.suspensions == (("gas test failed", 2), ("SOS in zone", 1))
    assert v["vision_detections"] == 40
    assert v["vision_false_pct"] == pytest.approx(2.5)


def test_the_heat_map_on_the_site_clock(shift: Store) -> None:
    report = kpi_report(shift, T0, END, utc_offset_s=CHINA)
    assert report.heat == (
        ("reactor_unit", 3, 1),
        ("reactor_unit", 17, 11),
        ("reactor_unit", 18, 6),
        ("reactor_unit", 21, 1),
        ("tank_farm", 16, 22),
        ("tank_farm", 17, 1),
    )


def test_one_area(shift: Store) -> None:
    report = kpi_report(shift, T0, END, area="tank_farm")
    v = values(report)
    assert v["alarms_raised"] == 23
    assert v["flood_periods"] == 2
    assert [a.alarm_id for a in report.standing] == ["S1"]
    assert [a.alarm_id for a in report.hidden] == ["H1", "O1"]
    assert (v["chattering_alarms"], v["fleeting_alarms"]) == (0, 0)
    assert {area for area, _, _ in report.heat} == {"tank_farm"}


def test_two_operator_positions_share_the_load_and_the_flood_threshold(shift: Store) -> None:
    v = values(kpi_report(shift, T0, END, positions=2))
    assert v["alarms_per_10min_avg"] == pytest.approx(42 / 72 / 2)
    assert v["alarms_per_10min_peak"] == 6
    assert v["flood_periods"] == 0  # 12 in 10 min is 6 per position


def test_lights_against_the_targets(shift: Store) -> None:
    report = kpi_report(shift, T0, END)
    lights = {k.key: k.light for k in report.kpis}
    assert lights["alarms_per_10min_avg"] is Light.OK  # 0.58 <= 1
    assert lights["alarms_per_10min_peak"] is Light.WARN  # 12: above 10, within 20
    assert lights["flood_time_pct"] is Light.BAD  # 4.2 % against < 1 %
    assert lights["chattering_alarms"] is Light.BAD
    assert lights["stale_alarms"] is Light.OK  # 1 < 5
    assert lights["vision_false_pct"] is Light.OK  # 2.5 <= 3.5
    assert lights["permit_timeout_pct"] is Light.BAD  # 33 % against 5 %
    assert lights["standing_alarms"] is Light.NONE  # no target
    assert report.kpi("permit_timeout_pct").text == "33.3 %"
    assert report.kpi("alarms_per_10min_avg").text == "0.58 / 10 min"
    assert report.kpi("alarms_per_10min_avg").target == "<= 1 / 10 min"


def test_an_alarm_shelved_while_normal_answers_none_of_its_past_occurrences(store: Store) -> None:
    """Raised, hidden by its zone's isolation until it was back to normal (no operator answered it), then
    shelved: that shelve belongs to no occurrence, so the one raised has no response."""
    j = JournalBuilder()
    j.alarm("N1", "tank_farm")
    j.raise_("N1", T0 + 100)
    j.suppress("N1", T0 + 110, "zone isolated")
    j.clear("N1", T0 + 120)
    j.unsuppress("N1", T0 + 130)
    j.shelve("N1", T0 + 150, "li.wei", "sensor being replaced", until=T0 + 3600)
    j.write(store)
    v = values(kpi_report(store, T0, END))
    assert (v["alarms_raised"], v["response_median_s"], v["response_within_pct"]) == (1, None, 0.0)


def test_an_empty_journal_has_no_data_not_zeros(store: Store) -> None:
    report = kpi_report(store, T0, T0 + 3600)
    v = values(report)
    assert v["alarms_raised"] == 0
    assert v["ack_median_s"] is None
    assert report.kpi("ack_median_s").text == "—"
    assert report.kpi("ack_median_s").light is Light.NONE
    assert v["permit_timeout_pct"] is None
    assert report.bad_actors == ()
    assert len(report.rate) == 6
