"""The randomisation: the allocation, its seed and digests, and the balance between the arms."""
