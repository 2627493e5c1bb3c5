"""The rule packs: their loader and validated catalogue, and the vocabulary built from them."""
