"""Benchmarks (``make bench``): they print figures and ratios against a baseline measured in the same run.

Speed is measured here, never asserted in timed tests: the machines are shared and noisy, so every
figure is reported next to a baseline taken in the same process and minute.
"""
