"""The core's `Words` in the reader's language: the English source goes through Qt's translation in the
context the core marked it with, and the values are filled in after (nested words translated too)."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QCoreApplication

from plant_maps.words import Words


def translated(words: Words) -> str:
    values = {k: translated(v) if isinstance(v, Words) else v for k, v in words.values.items()}
    return QCoreApplication.translate(words.context, words.source).format(**values)


def translated_all(words: Iterable[Words]) -> str:
    """Several reasons as one line, each translated ("" for none)."""
    return "; ".join(translated(w) for w in words)
