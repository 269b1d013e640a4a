"""Words the Qt-free half gives the window, to be translated there: an English source text with its values.

`str()` is the English the core refuses, journals and audits with; the window renders the same source through
Qt's translation (`widgets.common.plain_text.translated`), so that one sentence serves both and a translator sees it
once. The sources are marked with this module's `QT_TRANSLATE_NOOP`, which needs no Qt: pyside6-lupdate finds
texts by that name. Values are data (ids, names, numbers, times) or `Words` themselves (a state's name).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType


def QT_TRANSLATE_NOOP(context: str, source: str) -> str:  # the name pyside6-lupdate looks for
    """Mark `source` for translation in `context`; the text itself is returned unchanged."""
    return source


@dataclass(frozen=True, slots=True)
class Words:
    """One translatable sentence: `source` is a `str.format` template over `values`."""

    context: str
    source: str
    values: Mapping[str, object] = field(default_factory=lambda: MappingProxyType({}))

    def __str__(self) -> str:
        return self.source.format(
            **{key: str(value) if isinstance(value, Words) else value for key, value in self.values.items()}
        )


def joined(words: list[Words]) -> str:
    """Several reasons as one English line: "no gas test; guardian W02 has not checked in at Workshop"."""
    return "; ".join(str(w) for w in words)
