"""Attachments: size and type limits from the `attachments` policy, the file stored through Django's
storage under a random name, its SHA-256 on the row and in the ledger; a refusal stores nothing."""
import hashlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.datastructures import MultiValueDict

from changemgmt import policy, policy_services
from changemgmt.models import LedgerEntry
from changes.collaboration import services
from changes.collaboration.models import Attachment

RUNBOOK = b"# Runbook\n1. drain\n2. deploy\n"


def attach(change, actor, name="runbook.md", content=RUNBOOK, **data):
    return services.add_attachment(change_id=change.pk, actor=actor, data=data,
                                   files=MultiValueDict({"file": [SimpleUploadedFile(name, content)]}))


def stored_files(root):
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def test_the_file_is_kept_with_its_sha256_in_the_ledger(change, requester, media_in_tmp):
    saved = attach(change, requester)
    digest = hashlib.sha256(RUNBOOK).hexdigest()
    assert saved.sha256 == digest and saved.size == len(RUNBOOK) and saved.content_type == "text/markdown"
    entry = LedgerEntry.objects.order_by("-seq").first()
    assert entry.action == "change.attached" and entry.payload["sha256"] == digest
    assert entry.payload["filename"] == "runbook.md"
    [path] = stored_files(media_in_tmp)
    assert path.read_bytes() == RUNBOOK and "runbook" not in path.name  # a random storage name


def test_a_forbidden_type_is_refused_and_nothing_is_stored(change, requester, media_in_tmp):
    before = LedgerEntry.objects.count()
    with pytest.raises(ValidationError) as refusal:
        attach(change, requester, name="payload.exe", content=b"MZ")
    assert ".exe" in refusal.value.message_dict["file"][0]
    assert not Attachment.objects.exists() and LedgerEntry.objects.count() == before
    assert stored_files(media_in_tmp) == []


def test_a_file_over_the_policy_size_is_refused(change, requester, admin_user, media_in_tmp):
    limits = policy.get("attachments")
    policy_services.update_setting(key="attachments", value={**limits, "max_size_mb": 1}, actor=admin_user)
    with pytest.raises(ValidationError) as refusal:
        attach(change, requester, name="big.log", content=b"x" * (1024 * 1024 + 1))
    assert "at most 1 MB" in refusal.value.message_dict["file"][0]
    assert stored_files(media_in_tmp) == [] and not Attachment.objects.exists()


def test_an_empty_file_is_refused(change, requester):
    with pytest.raises(ValidationError) as refusal:
        attach(change, requester, content=b"")
    assert "file" in refusal.value.message_dict


def test_a_path_in_the_name_is_dropped(change, requester):
    assert attach(change, requester, name="../../etc/notes.txt").filename == "notes.txt"


def test_unknown_fields_are_refused(change, requester):
    with pytest.raises(ValidationError) as refusal:
        attach(change, requester, colour="red")
    assert "colour" in refusal.value.message_dict


def test_auditors_do_not_attach(change, auditor, media_in_tmp):
    with pytest.raises(PermissionDenied):
        attach(change, auditor)
    assert stored_files(media_in_tmp) == []


def test_the_policy_refuses_a_malformed_type_list(admin_user):
    limits = policy.get("attachments")
    with pytest.raises(ValidationError):
        policy_services.update_setting(key="attachments", actor=admin_user, value={
            **limits, "types": [{"extension": "exe", "content_type": "application/x-msdownload"}]})


def test_the_policy_refuses_a_size_under_one_megabyte_and_a_repeated_extension(admin_user):
    limits = policy.get("attachments")
    with pytest.raises(ValidationError, match="at least 1"):
        policy_services.update_setting(key="attachments", actor=admin_user, value={**limits, "max_size_mb": 0})
    with pytest.raises(ValidationError, match="only once"):
        policy_services.update_setting(key="attachments", actor=admin_user, value={
            **limits, "types": limits["types"] + limits["types"][:1]})
