"""Bad input gets a 400, never a 500 — as a property of the whole API, not a list of cases.

Schemathesis reads the live schema (`GET /api/schema/`) from the Django WSGI app and, for every
operation, sends requests generated from it: valid ones (positive) and ones that break it (negative:
wrong types, missing fields, out-of-range values). A second run follows the OpenAPI links the schema
declares (changemgmt.api.links: a created change, window, freeze, meeting item or action item is
then read, edited and moved on). The bar, for a persona holding every role but auditor and for an
auditor: no answer is a 5xx, and every answer — 400s, 404s and 409s included — matches its
documented schema, status code and content type.

Examples per operation are few and derandomized so CI is reproducible and takes about two minutes
per database; SCHEMATHESIS_EXAMPLES raises them for a deeper local run.
"""
import os
from datetime import timedelta

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from cab.choices import MeetingKind, Seat
from cab.models import BoardMember, Meeting
from cab.services import actions
from changemgmt.people_services import issue_token
from changemgmt.roles import Role
from changemgmt.wsgi import application
from changes.calendar import services as calendar_services
from tests.support import factories as f
from tests.support.lifecycle import filed, in_approval

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "6"))
CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance, content_type_conformance]
EVERY_ROLE_BUT_AUDITOR = [role for role in Role.values if role != Role.AUDITOR]
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                    phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))


@pytest.fixture(autouse=True)
def _requests_keep_the_test_connection():
    """Schemathesis calls the raw WSGI app, whose end-of-request signal closes the database connection
    (on PostgreSQL), and with it the test's transaction; Django's own test client disconnects the
    same handler around its requests."""
    for signal in (signals.request_started, signals.request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (signals.request_started, signals.request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def world(frozen, requester, peer, peer2, manager, cab_member):
    """One object of every kind the API addresses, so generated ids of 1, 2, 3… find real ones."""
    BoardMember.objects.create(user=cab_member, seat=Seat.OPERATIONS)
    filed(requester)
    in_approval(requester)
    start = f.NOW + timedelta(days=2)
    Meeting.objects.create(kind=MeetingKind.REGULAR, title="Weekly CAB", starts_at=start,
                           ends_at=start + timedelta(hours=1))
    calendar_services.announce_freeze(actor=f.make_user("root", Role.ADMINISTRATOR), data={
        "name": "Year-end", "reason": "Finance close", "kind": "soft",
        "starts_at": (f.NOW + timedelta(days=30)).isoformat(), "ends_at": (f.NOW + timedelta(days=31)).isoformat()})
    actions.create(actor=cab_member, title="Check backups", owner=cab_member, due_on=(f.NOW + timedelta(days=7)).date())


def _load(user):
    """The live schema as `user` reads it, and the headers that authenticate as them (a bearer token)."""
    _token, plain = issue_token(user=user, name="schemathesis")
    headers = {"Authorization": f"Bearer {plain}"}
    return schemathesis.openapi.from_wsgi("/api/schema/?format=json", application, headers=headers), headers


def _failures_per_operation(user, modes) -> list[str]:
    schema, headers = _load(user)
    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in modes:
            @SETTINGS
            @given(case=operation.as_strategy(generation_mode=mode))
            def check(case):
                with transaction.atomic():  # one request, one transaction, as in production
                    case.call_and_validate(headers=headers, checks=CHECKS)

            try:
                check()
            except (Exception, BaseExceptionGroup) as exc:  # every failing operation is reported, not the first
                failures.append(f"{operation.label} ({mode.value}): {str(exc)[:1500]}")
    return failures


def test_no_generated_request_gets_a_server_error_or_an_undocumented_answer(world):
    everything = f.make_user("polly", *EVERY_ROLE_BUT_AUDITOR, team="Platform")
    BoardMember.objects.create(user=everything, seat=Seat.CHAIR)
    failures = _failures_per_operation(everything, [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
    assert failures == [], "\n\n".join(failures)


def test_an_auditor_gets_no_server_error_or_undocumented_answer_either(world, auditor):
    failures = _failures_per_operation(auditor, [GenerationMode.POSITIVE])
    assert failures == [], "\n\n".join(failures)


def test_following_the_schema_links_gets_no_server_error_or_undocumented_answer(world):
    everything = f.make_user("polly", *EVERY_ROLE_BUT_AUDITOR, team="Platform")
    schema, headers = _load(everything)
    assert schema.operations_with_incoming_links(), "the schema declares no OpenAPI links"

    class Links(schema.as_state_machine()):
        def get_call_kwargs(self, case):
            return {"headers": headers}

        def call(self, case, **kwargs):
            with transaction.atomic():
                return case.call(**kwargs)

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            case.validate_response(response, checks=CHECKS)

    Links.run(settings=settings(SETTINGS, max_examples=max(EXAMPLES, 10), stateful_step_count=8))
