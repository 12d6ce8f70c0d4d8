"""The weight plate: finding it, and what it hides."""
