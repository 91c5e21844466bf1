"""`chapbook check`: the manuscript's lint. `codes` holds the stable codes (and imports
nothing of Chapbook, so that config.py can check `[check] ignore` against them); `book`
runs the reader and every check over a book; `source` finds a chapter's blocks and what
of their text is prose; `chapters` and `prose` hold the checks."""
