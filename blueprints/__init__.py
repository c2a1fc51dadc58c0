"""Blueprint authoring in Python: jobs, service managers, simulated operators and a test harness."""
