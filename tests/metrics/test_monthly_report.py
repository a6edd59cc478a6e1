"""The monthly report: a beat job sends last month's metrics through the one mail path to the metric readers,
once per month however often it runs, with a ledger entry."""
from datetime import timedelta

from django_celery_beat.models import PeriodicTask

from changemgmt.ledger.models import LedgerEntry
from changemgmt.models import Notification
from metrics.models import MonthlyReport
from metrics.tasks import send_monthly_report
from tests.metrics.conftest import period_key


def _next_month(frozen, month):
    frozen.move_to(month["start"] + timedelta(days=32, hours=8))  # early next month: "last month" is the fixture's


def test_the_beat_job_is_seeded_daily(db):
    job = PeriodicTask.objects.get(task="metrics.send_monthly_report")
    assert job.enabled and job.crontab.hour == "7" and job.crontab.day_of_month == "*"


def test_last_months_report_goes_to_the_readers_by_mail(frozen, month, people, mailoutbox,
                                                       django_capture_on_commit_callbacks):
    _next_month(frozen, month)
    with django_capture_on_commit_callbacks(execute=True):
        sent = send_monthly_report()
    readers = {people[who].email for who in ("admin", "auditor", "manager")}
    assert sent == 3 and {m.to[0] for m in mailoutbox} == readers
    mail = mailoutbox[0]
    assert mail.subject.startswith("[changemgmt] Change metrics for ") and "2 of 7 targets met" in mail.subject
    assert "Change success rate: 60 % (target > 95 %: missed)" in mail.body
    assert "! Payments: low-risk changes 33.3 % failed or rolled back" in mail.body
    assert f"/metrics/?period={period_key()}" in mail.body
    assert "24-hour review follow-up was answered \"issues found\"" in mail.body
    report = MonthlyReport.objects.get()
    assert report.month == month["start"].date() and report.recipients == 3
    entry = LedgerEntry.objects.get(action="metrics.monthly_report_sent")
    assert entry.payload == {"month": period_key(), "recipients": 3, "targets_met": 2, "targets_judged": 7}


def test_a_second_run_sends_nothing(frozen, month, mailoutbox, django_capture_on_commit_callbacks):
    _next_month(frozen, month)
    with django_capture_on_commit_callbacks(execute=True):
        send_monthly_report()
        frozen.move_to(month["start"] + timedelta(days=40))  # a later day of the same month
        assert send_monthly_report() == 0
    assert MonthlyReport.objects.count() == 1 and len(mailoutbox) == 3
    assert Notification.objects.filter(kind="metrics_report").count() == 3
    assert LedgerEntry.objects.filter(action="metrics.monthly_report_sent").count() == 1


def test_a_reader_who_turned_the_mail_off_still_gets_the_inbox_row(frozen, month, people, mailoutbox,
                                                                   django_capture_on_commit_callbacks):
    from changemgmt.models import NotificationKind
    from changemgmt.notifications.services import set_email_preferences

    set_email_preferences(user=people["auditor"], enabled_kinds=set(NotificationKind.values) - {"metrics_report"})
    _next_month(frozen, month)
    with django_capture_on_commit_callbacks(execute=True):
        send_monthly_report()
    assert people["auditor"].email not in {m.to[0] for m in mailoutbox}
    assert Notification.objects.filter(user=people["auditor"], kind="metrics_report").exists()


def test_the_admin_shows_the_reports_read_only(client, frozen, month, people, django_capture_on_commit_callbacks):
    people["admin"].is_staff = people["admin"].is_superuser = True
    people["admin"].save()
    _next_month(frozen, month)
    send_monthly_report()
    client.force_login(people["admin"])
    page = client.get("/admin/metrics/monthlyreport/")
    assert page.status_code == 200 and 'field-recipients">3<' in page.content.decode()
    assert client.get("/admin/metrics/monthlyreport/add/").status_code == 403
