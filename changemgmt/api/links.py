"""OpenAPI links (drf-spectacular postprocessing hook, SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]):
what a client can do next with the object an answer carries — file a change, then read, edit, score
and move it; create a window, freeze, emergency meeting, agenda item, action item, delegation or
webhook subscription, then address it. Clients and docs read them; tests/kernel/test_api_schemathesis.py
follows them statefully."""

CHANGE_NEXT = ["changes_retrieve", "changes_partial_update", "changes_risk_update", "changes_test_evidence_create",
               "changes_transitions_list", "changes_transition_submit", "changes_transition_assess",
               "changes_transition_cancel", "changes_transition_hold", "changes_approvals_list",
               "changes_history_list", "changes_conflicts_list", "changes_next_slots_retrieve"]
MEETING_NEXT = ["cab_meetings_retrieve", "cab_meetings_minutes_retrieve", "cab_meetings_minutes_update",
                "cab_meetings_items_create", "cab_meetings_attendance_create", "cab_meetings_transition"]
ITEM_NEXT = ["cab_items_retrieve", "cab_items_votes_create", "cab_items_votes_mine_update", "cab_items_decision_create",
             "cab_items_destroy"]

# (operationId, status) -> ({parameter: runtime expression}, [target operationIds])
LINKS = {
    ("changes_create", "201"): ({"id": "$response.body#/id"}, CHANGE_NEXT),
    ("changes_retrieve", "200"): ({"id": "$response.body#/id"}, CHANGE_NEXT),
    ("changes_transition_submit", "200"): ({"id": "$response.body#/id"}, CHANGE_NEXT),
    ("changes_risk_update", "200"): ({"id": "$response.body#/id"}, CHANGE_NEXT),
    ("calendar_windows_create", "201"): ({"id": "$response.body#/id"}, [
        "calendar_windows_retrieve", "calendar_windows_partial_update", "calendar_windows_destroy"]),
    ("calendar_freezes_create", "201"): ({"id": "$response.body#/freeze/id"}, ["calendar_freezes_retrieve"]),
    ("cab_meetings_emergency_create", "201"): ({"id": "$response.body#/id"}, MEETING_NEXT),
    ("cab_meetings_items_create", "201"): ({"id": "$response.body#/id"}, ITEM_NEXT),
    ("cab_action_items_create", "201"): ({"id": "$response.body#/id"}, ["cab_action_items_partial_update"]),
    ("approvals_delegations_create", "201"): ({"delegation_id": "$response.body#/id"},
                                              ["approvals_delegations_revoke"]),
    ("webhooks_subscriptions_create", "201"): ({"id": "$response.body#/id"}, [
        "webhooks_subscriptions_retrieve", "webhooks_subscriptions_partial_update", "webhooks_subscriptions_disable",
        "webhooks_subscriptions_enable", "webhooks_subscriptions_rotate_secret", "webhooks_subscriptions_deliveries",
        "webhooks_subscriptions_destroy"]),
}


def add_links(result, generator, request, public):
    """Attach LINKS to the documented responses; links to operations absent from this schema are left out."""
    operations = {op["operationId"]: op for item in result.get("paths", {}).values() for op in item.values()
                  if isinstance(op, dict) and "operationId" in op}
    for (source, status), (parameters, targets) in LINKS.items():
        response = operations.get(source, {}).get("responses", {}).get(status)
        if response is None:
            continue
        response["links"] = {target: {"operationId": target, "parameters": parameters} for target in targets
                             if target in operations}
    return result
