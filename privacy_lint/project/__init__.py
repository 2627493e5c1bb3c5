"""The project analysis: files found, indexed, planned, cached, gated and scanned."""
