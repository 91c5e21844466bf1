"""book.toml: each key declared once (options.py), its values read (values.py), the file
loaded and checked (load.py), and the book.toml `init` writes and the README's reference to
its keys made from the table (template.py)."""
