"""The registry: experiments, their entries and outcomes, their moves along the lifecycle,
and the learning library."""
