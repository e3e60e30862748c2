"""The region: the read side across the labs — goal, theme and council pages (and, to come, the
home dashboard and what works). It reads the labs' query services and writes nothing."""
