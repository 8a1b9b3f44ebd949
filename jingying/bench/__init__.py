"""`jingying bench`: the figures of docs benchmarks.md, each next to its floor.

runner.py builds a throwaway database in a child process and runs the functions listed in
benchmarks.BENCHMARKS; adding a benchmark is adding one function to that list.
"""
