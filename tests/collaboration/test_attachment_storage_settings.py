"""Where attachments are stored is configuration (README, Production → Configuration): local files
under the var directory by default, an S3-compatible bucket through django-storages with
ATTACHMENT_STORAGE=s3. Each case starts the settings in a fresh process with a clean environment."""
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BASE_ENV = {key: os.environ[key] for key in ("PATH", "HOME", "LANG") if key in os.environ}
PRINT = ("import json; from django.conf import settings; "
         "print(json.dumps({'default': settings.STORAGES['default'], 'media': str(settings.MEDIA_ROOT)}))")


def storage_settings(tmp_path, **env) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", f"import django; django.setup(); {PRINT}"], cwd=ROOT,
                          env={**BASE_ENV, "DJANGO_SETTINGS_MODULE": "changemgmt.settings", "DEBUG": "1",
                               "CHANGEMGMT_VAR_DIR": str(tmp_path / "var"), **env},
                          capture_output=True, text=True, timeout=120)


def test_local_files_under_the_var_directory_by_default(tmp_path):
    result = storage_settings(tmp_path)
    found = json.loads(result.stdout)
    assert found["default"]["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    assert found["media"] == str(tmp_path / "var" / "media")


def test_s3_compatible_storage_when_configured(tmp_path):
    result = storage_settings(tmp_path, ATTACHMENT_STORAGE="s3", S3_BUCKET="evidence",
                              S3_ENDPOINT_URL="https://minio.example.com", S3_ACCESS_KEY_ID="id",
                              S3_SECRET_ACCESS_KEY="secret")
    default = json.loads(result.stdout)["default"]
    assert default["BACKEND"] == "storages.backends.s3.S3Storage"
    assert default["OPTIONS"]["bucket_name"] == "evidence"
    assert default["OPTIONS"]["endpoint_url"] == "https://minio.example.com"
    assert default["OPTIONS"]["default_acl"] == "private" and default["OPTIONS"]["file_overwrite"] is False


def test_s3_without_a_bucket_stops_start_up(tmp_path):
    result = storage_settings(tmp_path, ATTACHMENT_STORAGE="s3")
    assert result.returncode != 0 and "S3_BUCKET" in result.stderr


def test_an_unknown_storage_stops_start_up(tmp_path):
    result = storage_settings(tmp_path, ATTACHMENT_STORAGE="ftp")
    assert result.returncode != 0 and "ATTACHMENT_STORAGE must be local or s3" in result.stderr
