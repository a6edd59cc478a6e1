"""The metrics report as the API answers it: the same numbers as the page and the CSV."""
from drf_spectacular.utils import OpenApiExample
from rest_framework import serializers


class MeasureSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    value = serializers.FloatField(allow_null=True)
    unit = serializers.CharField()
    target = serializers.FloatField(allow_null=True)
    comparison = serializers.CharField(
        help_text="above: value > target; at_least: value >= target; below: value < target")
    met = serializers.BooleanField(allow_null=True, help_text="null: no target, or nothing to measure")
    status = serializers.ChoiceField(choices=["met", "missed", "no data", "no target"])
    numerator = serializers.IntegerField(allow_null=True)
    denominator = serializers.IntegerField(allow_null=True)


class RatesSerializer(serializers.Serializer):
    filed = serializers.IntegerField()
    deployed = serializers.IntegerField()
    finished = serializers.IntegerField(help_text="deployed in the period with an outcome")
    successful = serializers.IntegerField()
    failed = serializers.IntegerField()
    rolled_back = serializers.IntegerField()
    success_rate = serializers.FloatField(allow_null=True)
    failure_rate = serializers.FloatField(allow_null=True)
    rollback_rate = serializers.FloatField(allow_null=True)
    issues_rate = serializers.FloatField(allow_null=True)
    lead_time_hours = serializers.FloatField(allow_null=True)


class RiskRowSerializer(RatesSerializer):
    risk = serializers.CharField(help_text="empty: not scored yet")
    label = serializers.CharField()
    mttr_minutes = serializers.FloatField(allow_null=True)
    review_hours = serializers.FloatField(allow_null=True)


class TypeRowSerializer(RatesSerializer):
    type = serializers.CharField()
    label = serializers.CharField()


class TeamRowSerializer(RatesSerializer):
    team_id = serializers.IntegerField(allow_null=True)
    team = serializers.CharField()


class ServiceRowSerializer(RatesSerializer):
    service_id = serializers.IntegerField()
    service = serializers.CharField()


class VolumeSerializer(serializers.Serializer):
    type = serializers.CharField()
    risk = serializers.CharField()
    filed = serializers.IntegerField()


class ScoreSerializer(serializers.Serializer):
    team_id = serializers.IntegerField(allow_null=True)
    team = serializers.CharField()
    score = serializers.FloatField(allow_null=True, help_text="null: fewer changes than the policy's min_completed")
    successful = serializers.IntegerField()
    finished = serializers.IntegerField()
    window_days = serializers.IntegerField()


class CalibrationSerializer(serializers.Serializer):
    risk = serializers.CharField()
    finished = serializers.IntegerField()
    failure_rate = serializers.FloatField(allow_null=True)
    tolerated_failure_percent = serializers.FloatField()
    flagged = serializers.BooleanField()


class FlaggedTeamSerializer(serializers.Serializer):
    team_id = serializers.IntegerField(allow_null=True)
    team = serializers.CharField()
    finished = serializers.IntegerField(help_text="low-risk changes with an outcome")
    failure_rate = serializers.FloatField()
    tolerated_failure_percent = serializers.FloatField()


class PeriodSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    start = serializers.DateTimeField()
    end = serializers.DateTimeField(help_text="exclusive")


class MetricsReportSerializer(serializers.Serializer):
    period = PeriodSerializer()
    measures = MeasureSerializer(many=True)
    dora = MeasureSerializer(many=True, allow_null=True, help_text="null: no deployment reports in the period")
    by_risk = RiskRowSerializer(many=True)
    by_type = TypeRowSerializer(many=True)
    by_team = TeamRowSerializer(many=True)
    by_service = ServiceRowSerializer(many=True)
    volume = VolumeSerializer(many=True)
    scores = ScoreSerializer(many=True)
    calibration = CalibrationSerializer(many=True)
    flagged_teams = FlaggedTeamSerializer(many=True)
    predicts = serializers.BooleanField(allow_null=True, help_text="the failure share never falls as risk rises")
    notes = serializers.ListField(child=serializers.CharField())


def _measure(code, label, value, unit, target, comparison, met, status, numerator, denominator):
    return {"code": code, "label": label, "value": value, "unit": unit, "target": target, "comparison": comparison,
            "met": met, "status": status, "numerator": numerator, "denominator": denominator}


_RATES = {"filed": 40, "deployed": 36, "finished": 34, "successful": 33, "failed": 0, "rolled_back": 1,
          "success_rate": 97.1, "failure_rate": 2.9, "rollback_rate": 2.9, "issues_rate": 2.9, "lead_time_hours": 52.5}
EXAMPLE = OpenApiExample("November", response_only=True, value={
    "period": {"key": "2026-11", "label": "November 2026", "start": "2026-11-01T00:00:00-04:00",
               "end": "2026-12-01T00:00:00-05:00"},
    "measures": [
        _measure("success_rate", "Change success rate", 97.1, "%", 95, "above", True, "met", 33, 34),
        _measure("failure_rate", "Change failure rate", 2.9, "%", 5, "below", True, "met", 1, 34),
        _measure("emergency_rate", "Emergency change rate", 7.5, "%", 5, "below", False, "missed", 3, 40),
        _measure("mttr", "Mean time to recover", 42.0, "min", 60, "below", True, "met", None, 1),
    ],
    "dora": [_measure("deployment_frequency", "Deployment frequency", 2.33, "per week", 1, "at_least", True, "met",
                      10, None)],
    "by_risk": [{**_RATES, "risk": "low", "label": "Low", "mttr_minutes": 42.0, "review_hours": 5.5}],
    "by_type": [{**_RATES, "type": "normal", "label": "Normal"}],
    "by_team": [{**_RATES, "team_id": 1, "team": "Payments"}],
    "by_service": [{**_RATES, "service_id": 3, "service": "payments-api"}],
    "volume": [{"type": "normal", "risk": "low", "filed": 25}],
    "scores": [{"team_id": 1, "team": "Payments", "score": 96.4, "successful": 80, "finished": 83, "window_days": 90}],
    "calibration": [{"risk": "low", "finished": 20, "failure_rate": 2.9, "tolerated_failure_percent": 5,
                     "flagged": False}],
    "flagged_teams": [],
    "predicts": True,
    "notes": ["Post-implementation issues come from what is recorded today…"],
})
