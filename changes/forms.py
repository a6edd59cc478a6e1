"""Input validation for every change write. Services validate with these forms whether the input
came from a page (QueryDict) or the API (JSON dict), so both get the same field-named errors."""
from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from changemgmt import policy
from changes.calendar.models import ConfigurationItem
from changes.choices import Category, ChangeType, RiskLevel, RollbackKind, Severity, TestResult, TestType
from changes.models import ChangeRequest, Service, TestEvidence
from changes.risk import FACTORS

MAX_TEXT = 20_000
IGNORED_KEYS = {"csrfmiddlewaretoken"}
EXTERNAL_SOURCE = r"^[a-z][a-z0-9_.-]{0,49}\Z"
EXTERNAL_KEY = r"^[A-Za-z0-9][A-Za-z0-9._#@+-]{0,99}\Z"
EXTERNAL_REFERENCE = {"external_source": EXTERNAL_SOURCE, "external_key": EXTERNAL_KEY}


def reject_unknown(form_class, data, *, extra: set[str] = frozenset()) -> None:
    """Unknown input keys are an error naming the key, not silently dropped."""
    allowed = set(form_class.base_fields) | set(extra) | IGNORED_KEYS
    unknown = sorted(set(data.keys()) - allowed) if hasattr(data, "keys") else []
    if unknown:
        raise ValidationError({key: "Unknown field." for key in unknown})


def _policy_choices(key):
    return [(item["code"], item["label"]) for item in policy.get(key)]


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def format_value(self, value):
        from django.utils import timezone

        if hasattr(value, "isoformat"):
            # Bound fields arrive already converted to naive local time (DateTimeField.prepare_value).
            local = timezone.localtime(value) if timezone.is_aware(value) else value
            return local.strftime("%Y-%m-%dT%H:%M")
        return value


class ChangeForm(forms.ModelForm):
    """Create and edit. Standard changes come only from the catalog, so type offers normal/emergency."""

    change_type = forms.ChoiceField(choices=[(ChangeType.NORMAL, "Normal"), (ChangeType.EMERGENCY, "Emergency")],
                                    initial=ChangeType.NORMAL, label="Type", required=False)
    category = forms.ChoiceField(choices=Category.choices, initial=Category.APPLICATION, required=False)
    security_triggers = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple,
                                                  label="Security review triggers")
    emergency_criterion = forms.ChoiceField(required=False, label="Emergency criterion")
    services = forms.ModelMultipleChoiceField(queryset=Service.objects.all(), required=False,
                                              label="Affected services")
    configuration_items = forms.ModelMultipleChoiceField(
        queryset=ConfigurationItem.objects.select_related("service"), required=False,
        label="Affected configuration items")
    ticket_url = forms.URLField(required=False, assume_scheme="https", max_length=500, label="Ticket link")
    pr_url = forms.URLField(required=False, assume_scheme="https", max_length=500, label="Pull request link")
    owner = forms.ModelChoiceField(queryset=get_user_model().objects.filter(is_active=True), required=False,
                                   label="Change owner")
    external_source = forms.RegexField(
        EXTERNAL_SOURCE, required=False, max_length=50, label="External source",
        error_messages={"invalid": "The external source is 1-50 lowercase letters, digits and . _ - (e.g. jira)."})
    external_key = forms.RegexField(
        EXTERNAL_KEY, required=False, max_length=100, label="External key",
        error_messages={"invalid": "The external key is 1-100 letters, digits and . _ # @ + - (e.g. PAY-42)."})

    class Meta:
        model = ChangeRequest
        fields = ["title", "change_type", "category", "description", "business_justification", "impact_systems",
                  "impact_users", "services", "configuration_items", "implementation_plan", "test_plan",
                  "rollback_plan", "planned_start", "planned_end", "owner", "ticket_url", "pr_url", "security_triggers",
                  "emergency_criterion", "freeze_justification", "external_source", "external_key"]
        widgets = {
            "planned_start": DateTimeLocalInput(), "planned_end": DateTimeLocalInput(),
            **{name: forms.Textarea(attrs={"rows": 3}) for name in [
                "description", "business_justification", "impact_systems", "impact_users", "implementation_plan",
                "test_plan", "rollback_plan", "freeze_justification"]},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["security_triggers"].choices = _policy_choices("security_triggers")
        self.fields["emergency_criterion"].choices = [("", "—")] + _policy_choices("emergency_criteria")
        for field in self.fields.values():
            if isinstance(field, forms.CharField) and field.max_length is None:
                field.max_length = MAX_TEXT
                field.validators.append(_max_length(MAX_TEXT))
        if self.instance.pk and self.instance.change_type == ChangeType.STANDARD:
            self.fields["change_type"].choices = [(ChangeType.STANDARD, "Standard")] + \
                self.fields["change_type"].choices

    def clean_change_type(self):
        return self.cleaned_data["change_type"] or self.instance.change_type or ChangeType.NORMAL

    def clean_category(self):
        return self.cleaned_data["category"] or self.instance.category or Category.APPLICATION

    def clean_external_source(self):
        return self.cleaned_data["external_source"] or None

    def clean_external_key(self):
        return self.cleaned_data["external_key"] or None

    def _clean_external_reference(self, cleaned) -> None:
        """Both or neither, and no other change carrying the pair (issue 10 §8)."""
        source, key = cleaned.get("external_source"), cleaned.get("external_key")
        if "external_source" in self.errors or "external_key" in self.errors or (source is None and key is None):
            return
        if source is None or key is None:
            missing = "external_source" if source is None else "external_key"
            self.add_error(missing, "Give the external source and key together (e.g. jira and PAY-42), or neither.")
            return
        other = ChangeRequest.objects.filter(external_source=source, external_key=key).exclude(
            pk=self.instance.pk).first()
        if other is not None:
            self.add_error("external_key", f"{other.reference} already carries the external reference {source}:{key} "
                                           f"(unique): update it with PUT /api/changes/by-external/{source}/{key}/.")

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("planned_start"), cleaned.get("planned_end")
        if start and end and end <= start:
            self.add_error("planned_end", "The planned end must be after the planned start.")
        if cleaned.get("change_type") == ChangeType.EMERGENCY and not cleaned.get("emergency_criterion"):
            self.add_error("emergency_criterion", "An emergency change must name one of the emergency criteria.")
        self._clean_external_reference(cleaned)
        return cleaned


def _max_length(limit):
    from django.core.validators import MaxLengthValidator

    return MaxLengthValidator(limit)


def _score_field():
    return forms.TypedChoiceField(coerce=int, empty_value=None)


class RiskForm(forms.Form):
    """The scorecard; the override may only raise the computed level. Each score starts blank and is
    required: a page offers no pre-selected score (one click must not record 5/15 = low). A standing
    raise is withdrawn only explicitly (`withdraw_raise` with a reason), see services.score_risk."""

    systems = _score_field()
    users = _score_field()
    data = _score_field()
    reversibility = _score_field()
    security = _score_field()
    override = forms.ChoiceField(required=False, choices=[("", "No override")] + RiskLevel.choices,
                                 label="Raise the level to")
    override_reason = forms.CharField(required=False, max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 2}),
                                      label="Justification for raising")
    withdraw_raise = forms.BooleanField(required=False, label="Withdraw the raised level")
    withdraw_reason = forms.CharField(required=False, max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 2}),
                                      label="Why the raise is withdrawn")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for key, (_field, label, levels) in FACTORS.items():
            self.fields[key].label = label
            self.fields[key].choices = [("", "— choose —")] + [(i + 1, f"{i + 1} — {text}")
                                                                for i, text in enumerate(levels)]
            self.fields[key].error_messages["invalid_choice"] = "Score must be 1, 2 or 3."
            self.fields[key].error_messages["required"] = f"Score “{label}” (1, 2 or 3)."

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("override") and not (cleaned.get("override_reason") or "").strip():
            self.add_error("override_reason", "Raising the risk level needs a written justification.")
        if cleaned.get("withdraw_raise"):
            if cleaned.get("override"):
                self.add_error("withdraw_raise", "Withdraw a raise or raise the level, not both at once.")
            if not (cleaned.get("withdraw_reason") or "").strip():
                self.add_error("withdraw_reason", "Withdrawing a raised risk level needs a reason.")
        return cleaned


class TestEvidenceForm(forms.ModelForm):
    test_type = forms.ChoiceField(choices=TestType.choices)
    result = forms.ChoiceField(choices=TestResult.choices)
    evidence_url = forms.URLField(required=False, assume_scheme="https", max_length=500, label="Evidence link")

    class Meta:
        model = TestEvidence
        fields = ["test_type", "result", "summary", "evidence_url"]
        widgets = {"summary": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["summary"].max_length = MAX_TEXT
        self.fields["summary"].validators.append(_max_length(MAX_TEXT))


class NoInputForm(forms.Form):
    pass


class ReasonForm(forms.Form):
    reason = forms.CharField(max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 2}), required=False)


class RescheduleForm(forms.Form):
    """A new plan for a submitted change, and why (services.reschedule)."""

    planned_start = forms.DateTimeField(widget=DateTimeLocalInput())
    planned_end = forms.DateTimeField(widget=DateTimeLocalInput())
    reason = forms.CharField(max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("planned_start"), cleaned.get("planned_end")
        if start and end and end <= start:
            self.add_error("planned_end", "The planned end must be after the planned start.")
        if "reason" in cleaned and not cleaned["reason"].strip():
            self.add_error("reason", "Give a reason for the new schedule.")
        return cleaned


class DeployForm(forms.Form):
    predeploy_checklist = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple,
                                                    label="Pre-deployment checklist")
    deployment_method = forms.ChoiceField(required=False)
    freeze_justification = forms.CharField(required=False, max_length=MAX_TEXT,
                                           widget=forms.Textarea(attrs={"rows": 2}),
                                           label="Justification (soft freeze only)")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["predeploy_checklist"].choices = _policy_choices("predeploy_checklist")
        self.fields["deployment_method"].choices = [("", "—")] + _policy_choices("deployment_methods")

    def clean_predeploy_checklist(self):
        return {code: True for code in self.cleaned_data["predeploy_checklist"]}


class VerifyForm(forms.Form):
    verification_checks = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple,
                                                    label="Production validation")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["verification_checks"].choices = _policy_choices("verification_checks")

    def clean_verification_checks(self):
        return {code: True for code in self.cleaned_data["verification_checks"]}


class CloseForm(forms.Form):
    """Outcome and the post-implementation review. The API sends `review_answers` as an object
    {code: true/false}; the page sends one yes/no radio per question."""

    YES_NO = [("yes", "Yes"), ("no", "No")]
    outcome = forms.ChoiceField(required=False, choices=[("", "—"), ("successful", "Successful"),
                                                         ("failed", "Failed"), ("rolled_back", "Rolled back")])
    lessons_learned = forms.CharField(required=False, max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, data=None, *args, **kwargs):
        if data is not None and isinstance(data.get("review_answers"), dict):
            answers = data["review_answers"]
            data = {key: value for key, value in data.items() if key != "review_answers"}
            for code, value in answers.items():
                data[f"review_{code}"] = "yes" if value is True else "no" if value is False else value
        super().__init__(data, *args, **kwargs)
        for item in policy.get("review_items"):
            self.fields[f"review_{item['code']}"] = forms.ChoiceField(
                required=False, choices=self.YES_NO, widget=forms.RadioSelect, label=item["label"])

    @classmethod
    def accepted_keys(cls) -> set[str]:
        return {"review_answers"} | {f"review_{item['code']}" for item in policy.get("review_items")}

    def clean(self):
        cleaned = super().clean()
        answers = {}
        for item in policy.get("review_items"):
            value = cleaned.pop(f"review_{item['code']}", "")
            if value:
                answers[item["code"]] = value == "yes"
        cleaned["review_answers"] = answers
        return cleaned


class RollbackForm(forms.Form):
    severity = forms.ChoiceField(required=False, choices=[("", "—")] + Severity.choices)
    trigger = forms.ChoiceField(required=False)
    kind = forms.ChoiceField(required=False, choices=[("", "—")] + RollbackKind.choices, label="Rollback kind")
    decided_at = forms.DateTimeField(required=False, widget=DateTimeLocalInput(), label="Time of decision")
    completed_at = forms.DateTimeField(required=False, widget=DateTimeLocalInput(), label="Time completed")
    reason = forms.CharField(required=False, max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 2}))
    steps_executed = forms.CharField(required=False, max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 2}))
    impact = forms.CharField(required=False, max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 2}))
    root_cause = forms.CharField(required=False, max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 2}))
    preventive_measures = forms.CharField(required=False, max_length=MAX_TEXT,
                                          widget=forms.Textarea(attrs={"rows": 2}))
    automatic = forms.BooleanField(required=False, label="Automatic rollback (reported by a pipeline)",
                                   help_text="POLICY §10: a pipeline that rolled back reports it with automatic=true.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["trigger"].choices = [("", "—")] + _policy_choices("rollback_triggers")

    def clean(self):
        cleaned = super().clean()
        decided, completed = cleaned.get("decided_at"), cleaned.get("completed_at")
        if decided and completed and completed < decided:
            self.add_error("completed_at", "The rollback cannot complete before it was decided.")
        return cleaned
