"""The shift lead opens the alarm KPIs in the window and reads the numbers of a shift built by hand (the one
of tests/test_alarm_kpis.py), for the site and then for one area, at the two sizes a control room has."""

from __future__ import annotations

from pathlib import Path

import pytest

from console.window.gui import WindowedConsole
from integrations.storage import Store
from tests.e2e.conftest import until
from tests.test_alarm_kpis import END, T0, shift_journal


@pytest.mark.parametrize(("width", "height"), [(1366, 768), (1920, 1080)])
def test_the_kpi_page_shows_the_shift_counted_by_hand(
    run_console, database_url: str, width: int, height: int, tmp_path: Path
) -> None:
    store = Store(database_url)
    shift_journal().write(store)
    store.close()

    async def scenario(console: WindowedConsole) -> None:
        window, view = console.window, console.window.kpi_view
        window.resize(width, height)
        window.default_layout()
        view.set_custom(T0, END)
        window.kpi_action.trigger()  # the toolbar's Alarm KPIs: computed for the chosen period on opening
        await until(lambda: view.report is not None, 30, "the KPIs computed")
        shown = view.shown()
        assert shown["alarms_raised"] == ("42", "", "")
        assert shown["alarms_per_10min_avg"] == ("0.58 / 10 min", "<= 1 / 10 min", "met")
        assert shown["alarms_per_10min_peak"] == ("12 / 10 min", "<= 10 / 10 min", "missed")
        assert shown["flood_time_pct"] == ("4.2 %", "< 1 %", "far off")
        assert shown["ack_median_s"] == ("32.5 s", "<= 90 s", "met")
        assert shown["response_p90_s"] == ("176 s", "<= 90 s", "missed")
        assert shown["chattering_alarms"] == ("1", "<= 0", "far off")
        assert shown["vision_false_pct"] == ("2.5 %", "<= 3.5 %", "met")
        assert shown["permit_timeout_pct"] == ("33.3 %", "<= 5 %", "far off")
        assert view.at_end_model.rowCount() == 5  # S1, S2 standing; H1, P1, O1 hidden
        assert view.table.isVisible() and view.table.viewport().height() >= 150
        for name, chart in (("rate", view.rate_chart), ("heat", view.heat), ("at-end", view.at_end)):
            view.charts.setCurrentWidget(chart)
            window.grab().save(str(tmp_path / f"kpis-site-{name}-{width}x{height}.png"))
        view.charts.setCurrentWidget(view.pareto)
        view.area.setCurrentIndex(view.area.findData("tank_farm"))
        view.show_button.click()
        await until(lambda: view.report.area == "tank_farm", 30, "the tank farm's KPIs")
        assert view.shown()["alarms_raised"] == ("23", "", "")
        assert view.shown()["flood_periods"] == ("2", "", "")
        names = [item.toPlainText() for item in view.pareto.names]  # written up the bars, worst first
        assert names == [a for a, _, _ in view.report.bad_actors] and len(names) == 10
        window.grab().save(str(tmp_path / f"kpis-tank-farm-{width}x{height}.png"))

    run_console(scenario)
