"""Chapbook: a Markdown manuscript in, an EPUB 3, a print PDF and a booklet out."""

__version__ = "0.1.0"
