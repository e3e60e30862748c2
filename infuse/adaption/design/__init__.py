"""The design: power and sample size, their check by simulation, and quasi-experiments
planned from their outcome's past."""
