"""Quality: visit ratings, complaints with deadlines and escalation, site scorecards."""
