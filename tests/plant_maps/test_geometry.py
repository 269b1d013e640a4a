"""A hazard circle reaches into a zone when its centre is inside or an edge comes within its radius; a
corner is reached only within the radius of the corner itself (not of the edges' lines beyond it)."""

from __future__ import annotations

import numpy as np

from plant_maps.geometry import circle_touches_polygon

SQUARE = np.array([(0.0, 0.0), (10.0, 0.0), (10.0, 10.0), (0.0, 10.0)])


def test_a_circle_touches_a_zone_it_is_in_or_reaches_into() -> None:
    assert circle_touches_polygon(5.0, 5.0, 1.0, SQUARE)  # inside, far from every edge
    assert circle_touches_polygon(13.0, 5.0, 3.0, SQUARE)  # just reaches the right edge
    assert not circle_touches_polygon(13.5, 5.0, 3.0, SQUARE)
    assert not circle_touches_polygon(13.0, 13.0, 4.0, SQUARE)  # the corner is 4.24 m away
    assert circle_touches_polygon(13.0, 13.0, 4.3, SQUARE)
    assert not circle_touches_polygon(20.0, 0.0, 9.0, SQUARE)  # on the bottom edge's line, 10 m past its end
