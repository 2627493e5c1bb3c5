"""The engine: one interpreter over a module's syntax tree, and what it reads and returns."""
