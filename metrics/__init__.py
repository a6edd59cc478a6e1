"""Metrics (issue 11 §5-§6): POLICY §9's numbers against their targets, per team and service, the DORA
measures from deployment reports, the change success score per team and the risk calibration; the page
`/metrics/`, its CSV, the API and the monthly report mailed by beat.

Beside `audit` at the top layer: it reads every app below and no app imports it; it never imports
`audit`, nor `audit` it. It writes only the monthly report's record (metrics.services)."""
