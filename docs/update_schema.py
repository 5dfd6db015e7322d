"""Rewrite the column tables of docs/ARCHITECTURE.md from ``diffbench.results.schema``.

    python docs/update_schema.py      # after changing a table's columns in schema.py

``tests/test_schema.py`` fails while the document and the code differ.
"""

from pathlib import Path

from diffbench.results.schema import update_document

if __name__ == "__main__":
    path = Path(__file__).with_name("ARCHITECTURE.md")
    path.write_text(update_document(path.read_text(encoding="utf-8")), encoding="utf-8")
    print(f"updated {path}")
