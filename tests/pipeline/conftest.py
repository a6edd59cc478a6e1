"""Fixtures of the pipeline gate tests: the production environment and a pipeline token scoped to the
factories' service, with a client asking the gate as that pipeline."""
import pytest

from changemgmt.people_services import issue_token
from changes.pipeline.models import DeployEnvironment
from tests.pipeline.helpers import pipeline_client
from tests.support import factories as f


@pytest.fixture
def environment(db):
    """Seeded by the migration; a transactional test's flush empties it, so it is put back here."""
    return DeployEnvironment.objects.get_or_create(name="production")[0]


@pytest.fixture
def pipeline_token(admin_user):
    return issue_token(user=admin_user, name="payments deploy", kind="pipeline", service_ids=[f.make_service().pk])


@pytest.fixture
def pipeline(pipeline_token, environment):
    return pipeline_client(pipeline_token[1])
