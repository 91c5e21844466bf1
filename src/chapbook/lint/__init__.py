"""`chapbook check`: the manuscript's lint. `book` runs the reader and every check over a
book; `source` finds a chapter's blocks and what of their text is prose; `chapters` and
`prose` hold the checks; `report` prints what they find."""
