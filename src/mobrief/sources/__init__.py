"""Turn one external format into Item records."""
