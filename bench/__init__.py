"""`python -m bench`: every tritorch kernel family against PyTorch and the roofline in one command.

Lives beside `tritorch/` (not part of its wheel) and imports it like any user; torch is used
freely here, as the baseline and the oracle of each timed result. See `bench/__main__.py` for
the flags and README.md ("Benchmarks") for how to read the output.
"""
