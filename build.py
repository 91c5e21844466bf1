"""Build the book: `python build.py [epub] [pdf] [booklet] [-m DIR] [-o DIR]`."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "src"))

from chapbook.cli import main

raise SystemExit(main())
