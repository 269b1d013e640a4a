"""Alarm engine (ISA-18.2 / IEC 62682, EEMUA 191) and the tag sample types it consumes.

Qt-free, network-free, database-free: stdlib and numpy only.
"""
