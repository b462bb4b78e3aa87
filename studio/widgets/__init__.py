"""The studio's panels: one panel a file, each built around the document (`Panel(document, parent=None)`)."""
