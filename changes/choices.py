"""Choices for change requests, each with its label and badge colour so templates stay dumb."""
from django.db import models


class State(models.TextChoices):
    """Each label names the state the change is in, never the step that comes next (the progress bar's
    step names are changes.presenters.STEP_LABELS)."""

    DRAFT = "draft", "Draft"
    ASSESSMENT = "assessment", "In assessment"
    APPROVAL = "approval", "Awaiting approval"
    TESTING = "testing", "In testing"
    READY = "ready", "Ready to deploy"
    DEPLOYED = "deployed", "Deployed"
    VERIFIED = "verified", "Verified"
    CLOSED = "closed", "Closed"
    REJECTED = "rejected", "Rejected"
    CANCELLED = "cancelled", "Cancelled"
    ROLLED_BACK = "rolled_back", "Rolled back"


OPEN_STATES = [State.DRAFT, State.ASSESSMENT, State.APPROVAL, State.TESTING, State.READY, State.DEPLOYED,
               State.VERIFIED, State.ROLLED_BACK]
TERMINAL_STATES = [State.CLOSED, State.REJECTED, State.CANCELLED]
# The conveyor belt in order, for the progress bar on the change page.
PIPELINE = [State.DRAFT, State.ASSESSMENT, State.APPROVAL, State.TESTING, State.READY, State.DEPLOYED,
            State.VERIFIED, State.CLOSED]

STATE_COLOURS = {
    State.DRAFT: "grey", State.ASSESSMENT: "blue", State.APPROVAL: "purple", State.TESTING: "teal",
    State.READY: "cyan", State.DEPLOYED: "orange", State.VERIFIED: "lime", State.CLOSED: "green",
    State.REJECTED: "red", State.CANCELLED: "grey", State.ROLLED_BACK: "red",
}


class ChangeType(models.TextChoices):
    STANDARD = "standard", "Standard"
    NORMAL = "normal", "Normal"
    EMERGENCY = "emergency", "Emergency"


class Category(models.TextChoices):
    APPLICATION = "application", "Application"
    DATABASE = "database", "Database"
    INFRASTRUCTURE = "infrastructure", "Infrastructure"
    SECURITY = "security", "Security"


class RiskLevel(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    CRITICAL = "critical", "Critical"


RISK_ORDER = {RiskLevel.LOW: 0, RiskLevel.MEDIUM: 1, RiskLevel.HIGH: 2, RiskLevel.CRITICAL: 3}
RISK_COLOURS = {RiskLevel.LOW: "green", RiskLevel.MEDIUM: "amber", RiskLevel.HIGH: "orange",
                RiskLevel.CRITICAL: "red"}


class Criticality(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    CRITICAL = "critical", "Critical"


class TestType(models.TextChoices):
    UNIT = "unit", "Unit"
    INTEGRATION = "integration", "Integration"
    STAGING = "staging", "Staging"
    UAT = "uat", "User acceptance"
    PERFORMANCE = "performance", "Performance"


class TestResult(models.TextChoices):
    PASSED = "passed", "Passed"
    FAILED = "failed", "Failed"


class Outcome(models.TextChoices):
    SUCCESSFUL = "successful", "Successful"
    FAILED = "failed", "Failed"
    ROLLED_BACK = "rolled_back", "Rolled back"


class RollbackKind(models.TextChoices):
    APPLICATION = "application", "Application"
    DATABASE = "database", "Database"
    INFRASTRUCTURE = "infrastructure", "Infrastructure"


class Severity(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    CRITICAL = "critical", "Critical"
