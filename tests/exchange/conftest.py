"""Fixtures of the package tests: the hand-built station (hand_station.py) and its station code."""
from hand_station import coded, station  # noqa: F401 (fixtures)
