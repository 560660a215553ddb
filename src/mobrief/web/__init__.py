"""Serve the editors' web app: inbox, stories, brief editor, publishing and the public archive."""
