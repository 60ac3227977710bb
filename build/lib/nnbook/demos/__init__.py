"""Interactive demos of the chapters: pure functions (parameters -> Figure) for nnbook.widgets.Demo."""
