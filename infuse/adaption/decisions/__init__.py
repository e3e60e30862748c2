"""The decisions: scale, adapt or stop, the scale-up, and the trial report."""
