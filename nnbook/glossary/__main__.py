"""python -m nnbook.glossary book/glossary.md: write the glossary page from the YAML files."""

from nnbook.glossary import _main

raise SystemExit(_main())
