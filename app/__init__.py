"""Parley: structured records of negotiations, ceasefires, surrenders, exchanges and peace deals."""

__version__ = "0.1.0"
