"""The site file's `[[broadcast_presets]]`: stored PA messages in Chinese and English, and which one a permit's
suspension offers.

A preset is chosen under stress (an evacuation, a gas release), so the file is checked up front: each has
both languages, a known priority, a bounded text, and at most one preset is offered per permit category
when a permit is suspended (`on_suspend = true`, optionally for `categories`; without, for any category).
"""

from __future__ import annotations

from collections.abc import Sequence

from plant_maps.site import BROADCAST_PRIORITIES, PERMIT_CATEGORIES, BroadcastPreset
from plant_maps.toml_reader import Reader

MAX_BROADCAST_CHARS = 300  # what a PA amplifier plays in a breath or two; typed text is held to it too
MAX_REPEAT = 5  # repetitions of one call


def parse_presets(tables: list[Reader]) -> tuple[BroadcastPreset, ...]:
    """Read and check every preset; ConfigError naming the key for a wrong one."""
    presets = []
    offered: dict[str, str] = {}  # permit category ("" for any) -> the preset offered on suspension
    for r in tables:
        r.reject_unknown({"id", "priority", "text_zh", "text_en", "on_suspend", "categories"})
        categories = r.str_list("categories")
        for i, category in enumerate(categories):
            if category not in PERMIT_CATEGORIES:
                raise r.error(
                    f"categories[{i}]", f"{category!r} is not one of {', '.join(PERMIT_CATEGORIES)}"
                )
        preset = BroadcastPreset(
            id=r.str("id"),
            priority=r.choice("priority", BROADCAST_PRIORITIES),
            text_zh=_text(r, "text_zh"),
            text_en=_text(r, "text_en"),
            on_suspend=r.bool("on_suspend", False),
            categories=tuple(categories),
        )
        if categories and not preset.on_suspend:
            raise r.error("categories", "categories say when a preset is offered: set on_suspend = true")
        if preset.on_suspend:
            for category in categories or [""]:
                if category in offered:
                    which = f"category {category}" if category else "any category"
                    raise r.error("on_suspend", f"{offered[category]} is already offered for {which}")
                offered[category] = preset.id
        presets.append(preset)
    return tuple(presets)


def suspend_preset(presets: Sequence[BroadcastPreset], category: str) -> BroadcastPreset | None:
    """The preset offered when a permit of `category` is suspended: the one for its category, else the one for
    any category, else none."""
    general = None
    for preset in presets:
        if preset.on_suspend and category in preset.categories:
            return preset
        if preset.on_suspend and not preset.categories:
            general = preset
    return general


def _text(r: Reader, key: str) -> str:
    text = r.str(key).strip()
    if len(text) > MAX_BROADCAST_CHARS:
        raise r.error(key, f"{len(text)} characters: at most {MAX_BROADCAST_CHARS}")
    return text
