"""Packaging an archive for the tools that read archives: WACZ, CDXJ, JSON Lines, CSV.

One module per format (`wacz`, `cdxj`, `tables`), with `sources` (which files several archive
folders hold) and `select` (the version, date and domain filters) shared between them. Every
exporter streams: memory stays flat however many records the archive holds.
"""
from __future__ import annotations


class ExportError(Exception):
    """The export cannot run (no archive, nothing to export, target not writable): one line says why."""
