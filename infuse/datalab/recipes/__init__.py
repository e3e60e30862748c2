"""A dataset's recipe: the declared steps that shape each version for its indicators."""
