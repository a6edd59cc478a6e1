"""Post-implementation review follow-ups (POLICY §4 close): at 24 hours and one week after deployment
someone answers "any issues since?". The 24-hour answers feed the metric "post-implementation issues
within 24 h" (POLICY §9)."""
