"""The plant map and its layers: zones, equipment, detectors, workers, permits, isolations, labels, legend."""
