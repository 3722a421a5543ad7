"""The program dashboard: funnel, outcomes, shares and what predicted success, across all seasons of a
program (service.program_dashboard -> plain data in types.py)."""
