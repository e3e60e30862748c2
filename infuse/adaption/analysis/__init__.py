"""The analysis: outcome data attached, the registered analysis run, its results and charts."""
