"""Exports: BibTeX and Markdown reading lists. The entry point is ``reader.export.service``."""
