"""Texts written for the book and shipped with the package (read them with ``nnbook.sequences.load_text``)."""
