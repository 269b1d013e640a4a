"""The site model and everything placed on it: zones, sensors, workers, permits, geometry.

Qt-free, network-free, database-free: stdlib, numpy and `alarms` types only.
"""
