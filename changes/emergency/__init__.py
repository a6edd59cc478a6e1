"""Emergency changes [POLICY §7]: the verbal authorization that lets one deploy before approval, and
the 24-hour paperwork after it deployed. A package of the changes app, laid out like an app (rules,
services, selectors, forms, views, urls, api/, tasks; templates in templates/emergency/). Its rows
are approvals' models (EmergencyAuthorization, AuthorizationRequest, EmergencyReview, EmergencyStep
in approvals.models, below changes), administered in approvals.admin."""
