"""records: filled by its area (see oversight/__init__)."""
