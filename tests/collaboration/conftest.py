"""Shared set-up of the collaboration tests: attachments stored in a temporary directory, one change."""
import pytest

from tests.support.lifecycle import filed


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


@pytest.fixture
def change(frozen, requester):
    return filed(requester)
