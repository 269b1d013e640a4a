"""Every word of the shift handover that is not the plant's own data (messages, reasons, names), in one
place: the snapshot's lines, the PDF's headings and labels.

They go through gettext (`_`), the Qt-free half's translation (DESIGN, translation: gettext with Babel):
with no catalogue installed it returns the English as written. Issue 20 adds catalogues under
`resources/locale/<lang>/LC_MESSAGES/controlroom.mo` (Babel extracts the `_()` calls of this module) and
calls `use_language`; the PDF then comes out in the console's language without another change.
"""

from __future__ import annotations

import gettext
from pathlib import Path

LOCALE_DIR = Path(__file__).resolve().parents[2] / "resources" / "locale"
DOMAIN = "controlroom"

_translation: gettext.NullTranslations = gettext.NullTranslations()


def use_language(lang: str) -> None:
    """Translate from now on into `lang` ("zh", "en"); English where no catalogue has the word."""
    global _translation
    _translation = gettext.translation(DOMAIN, LOCALE_DIR, languages=[lang], fallback=True)


def _(text: str) -> str:
    return _translation.gettext(text)


def section_title(name: str) -> str:
    titles = {
        "standing": _("Standing alarms"),
        "hidden": _("Shelved, suppressed and out-of-service alarms"),
        "permits": _("Active and suspended permits"),
        "responses": _("Open SOS and man-down responses"),
        "isolations": _("Zones in maintenance isolation"),
        "events": _("Notable events of the shift"),
        "notes": _("Shift log"),
        "flags": _("Flagged items (come back at every handover until cleared)"),
    }
    return titles[name]


def light_text(light: str, target: str) -> str:
    """A KPI's light in words, as the KPI page says it ("met", "missed", "far off"), beside the tier shape of
    a miss so that colour is never the only cue (ISA-101); no light is "no data" for a KPI with a target and
    "no target" for one without."""
    words = {"ok": _("met"), "warn": _("missed"), "bad": _("far off")}
    return words.get(light, _("no data") if target else _("no target"))


def state_words(state: str) -> str:
    words = {
        "unack": _("active, unacknowledged"),
        "acked": _("active, acknowledged"),
        "rtn_unack": _("returned, unacknowledged"),
        "latched": _("latched, waiting for reset"),
        "shelved": _("shelved"),
        "suppressed": _("suppressed by design"),
        "out_of_service": _("out of service"),
        "active": _("active"),
        "suspended": _("suspended"),
    }
    return words.get(state, state.replace("_", " "))
