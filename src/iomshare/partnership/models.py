"""The partnership: agencies, their staff, and the training that lets staff receive information."""

from __future__ import annotations

import datetime as dt
import re

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.crypto import salted_hmac


class AgencyKind(models.TextChoices):
    POLICE = "police", "Police"
    PROBATION = "probation", "Probation"
    PRISON = "prison", "Prison"
    COUNCIL = "council", "Local council"
    HEALTH = "health", "Health service"
    VCS = "vcs", "Voluntary and community sector"


class AssuranceLevel(models.IntegerChoices):
    """Security assurance an agency has shown, in increasing order (protocols can set a minimum)."""

    NONE = 0, "None"
    SELF_ASSESSED = 1, "Self-assessed (DSPT approaching standards)"
    CYBER_ESSENTIALS = 2, "Cyber Essentials / DSPT standards met"
    CYBER_ESSENTIALS_PLUS = 3, "Cyber Essentials Plus"
    ACCREDITED = 4, "Accredited (PSN / DSPT standards exceeded)"


class Agency(models.Model):
    code = models.SlugField(max_length=40, unique=True, help_text="Short stable code used in the API.")
    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=20, choices=AgencyKind.choices)
    is_statutory = models.BooleanField(help_text="Statutory partner (false for VCS organisations).")
    assurance_level = models.IntegerField(choices=AssuranceLevel.choices, default=AssuranceLevel.NONE)
    assurance_expires_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"

    def __str__(self) -> str:
        return self.name

    def assurance_on(self, day: dt.date | None = None) -> AssuranceLevel:
        """The assurance level in force on `day`: expired assurance counts as none at all."""
        day = day or timezone.localdate()
        if self.assurance_expires_on is None or self.assurance_expires_on < day:
            return AssuranceLevel.NONE
        return AssuranceLevel(self.assurance_level)


class DeclaredIdentifierScheme(models.Model):
    """An identifier scheme an agency declares (a council case number, a national insurance number).

    Its values are checked against its own pattern when records arrive, and linkage compares them
    exactly: two records with the same value in one scheme are strong evidence of one person.
    """

    code = models.SlugField(max_length=30, unique=True, help_text="Short code used in extracts and the API.")
    name = models.CharField(max_length=100, unique=True)
    pattern = models.CharField(
        max_length=200,
        help_text="A regular expression every value must match in full, for example [A-Z]{2}\\d{6}[A-D].",
    )
    example = models.CharField(
        max_length=60, help_text="A made-up value that matches, shown in error messages."
    )
    held_by = models.ManyToManyField(Agency, related_name="identifier_schemes", blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def normalise(self, value: str) -> str:
        """The value upper-cased without spaces; ValueError with a reason if it breaks the pattern."""
        cleaned = "".join(str(value).split()).upper()
        if not re.fullmatch(self.pattern, cleaned):
            raise ValueError(f"{cleaned} is not a {self.name}: it should look like {self.example}")
        return cleaned


class Role(models.TextChoices):
    PRACTITIONER = "practitioner", "Practitioner"
    VOLUNTEER = "volunteer", "Volunteer"
    IG_LEAD = "ig_lead", "Information-governance lead"
    PARTNERSHIP_MANAGER = "partnership_manager", "Partnership manager"
    ADMIN = "admin", "Administrator"
    SYSTEM = "system", "Agency system account"


class VettingLevel(models.IntegerChoices):
    """National security vetting a person holds, in increasing order (UK police and government names).

    What each sensitivity needs is set in one place: protocols.rules.VETTING_NEEDED.
    """

    NONE = 0, "Not vetted"
    BPSS = 1, "Baseline Personnel Security Standard (BPSS)"
    NPPV2 = 2, "NPPV level 2 / Recruitment Vetting"
    NPPV3_SC = 3, "NPPV level 3 / Security Check (SC)"


class StaffMember(AbstractUser):
    """A person (or an agency's system) who signs in; always belongs to one agency."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="staff", null=True)
    role = models.CharField(max_length=30, choices=Role.choices, default=Role.PRACTITIONER)
    is_volunteer = models.BooleanField(default=False)
    job_title = models.CharField(max_length=120, blank=True)
    vetting_level = models.IntegerField(
        choices=VettingLevel.choices,
        default=VettingLevel.NONE,
        help_text="Caps the sensitivity of what this person may see, their own agency's items included.",
    )
    vetting_expires_on = models.DateField(
        null=True, blank=True, help_text="Vetting counts until this day; after it, as none at all."
    )
    session_generation = models.PositiveIntegerField(
        default=0, editable=False, help_text="Raised to end every session of this account at once."
    )
    # Not a column: the token an API request signed in with (set by partnership.tokens.authenticate_token).
    api_token: ApiToken | None = None

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name = "staff member"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(vetting_level=0) | models.Q(vetting_expires_on__isnull=False),
                name="vetting_has_an_expiry",
                violation_error_message="Vetting needs the date it expires.",
            )
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def _get_session_auth_hash(self, secret=None) -> str:
        # Django checks this hash against every session on every request; adding the generation
        # lets "sign out everywhere" end sessions no list knows of (a test client's, an old one's).
        key_salt = "iomshare.partnership.StaffMember.session"
        return salted_hmac(
            key_salt, f"{self.password}|{self.session_generation}", secret=secret, algorithm="sha256"
        ).hexdigest()

    @property
    def is_system_account(self) -> bool:
        return self.role == Role.SYSTEM

    @property
    def counts_as_volunteer(self) -> bool:
        """A volunteer by flag (a practitioner who volunteers) or by role: protocols treat both alike."""
        return bool(self.is_volunteer or self.role == Role.VOLUNTEER)

    def vetting_on(self, day: dt.date | None = None) -> VettingLevel:
        """The vetting in force on `day`: expired vetting counts as none at all."""
        day = day or timezone.localdate()
        if self.vetting_expires_on is None or self.vetting_expires_on < day:
            return VettingLevel.NONE
        return VettingLevel(self.vetting_level)


class Course(models.TextChoices):
    DATA_PROTECTION = "data_protection", "Data protection and UK GDPR"
    INFORMATION_SHARING = "information_sharing", "Information sharing in IOM"
    SAFEGUARDING = "safeguarding", "Safeguarding adults and children"
    VOLUNTEER_CONFIDENTIALITY = "volunteer_confidentiality", "Confidentiality for volunteers"
    CYBER_SECURITY = "cyber_security", "Cyber security awareness"


class TrainingRecord(models.Model):
    staff_member = models.ForeignKey(StaffMember, on_delete=models.CASCADE, related_name="training")
    course = models.CharField(max_length=40, choices=Course.choices)
    completed_on = models.DateField()
    expires_on = models.DateField()
    recorded_by = models.ForeignKey(
        StaffMember, on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    recorded_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["staff_member", "course", "-completed_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_on__gt=models.F("completed_on")),
                name="training_expires_after_completion",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_course_display()} ({self.staff_member}, expires {self.expires_on})"

    def is_current(self, day: dt.date | None = None) -> bool:
        day = day or timezone.localdate()
        return self.completed_on <= day <= self.expires_on


class VettingRenewal(models.Model):
    """A renewal of someone's vetting, kept so the expiry it replaced is never lost."""

    staff_member = models.ForeignKey(StaffMember, on_delete=models.CASCADE, related_name="vetting_renewals")
    vetting_level = models.IntegerField(choices=VettingLevel.choices)
    previous_expires_on = models.DateField(null=True, blank=True)
    expires_on = models.DateField()
    recorded_by = models.ForeignKey(StaffMember, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-recorded_at"]

    def __str__(self) -> str:
        return f"Vetting of {self.staff_member} renewed until {self.expires_on}"


class TrainingReminder(models.Model):
    """One reminder sent of training or vetting expiring: unique, so a second run sends nothing twice."""

    staff_member = models.ForeignKey(StaffMember, on_delete=models.CASCADE, related_name="+")
    subject = models.CharField(max_length=40, help_text="A course, or 'vetting'.")
    expires_on = models.DateField()
    stage = models.CharField(
        max_length=10, help_text="'before' (within 30 days) or 'on' (the day, or after)."
    )
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["staff_member", "subject", "expires_on", "stage"], name="one_training_reminder"
            )
        ]

    def __str__(self) -> str:
        return f"Reminder to {self.staff_member} of {self.subject} expiring {self.expires_on} ({self.stage})"


class ApiToken(models.Model):
    """A bearer token for the machine API. Only its SHA-256 is stored; the secret is shown once."""

    NAME_MAX_LENGTH = 100

    staff_member = models.ForeignKey(StaffMember, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=NAME_MAX_LENGTH)
    prefix = models.CharField(max_length=12, help_text="First characters of the token, to recognise it.")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    scopes = models.CharField(
        max_length=60,
        default="read",
        help_text="What the token may do, comma-separated: read, write, import, link (partnership.tokens).",
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def scope_set(self) -> frozenset[str]:
        return frozenset(part for part in self.scopes.split(",") if part)

    def is_usable(self, now: dt.datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


class SignInChannel(models.TextChoices):
    WEB = "web", "Sign-in page"
    SECOND_FACTOR = "second factor", "Second factor"
    API_TOKEN = "api token", "API token"
    OTHER = "other", "Other"


class FailedSignIn(models.Model):
    """One failed attempt to sign in, counted for lockout and kept until its owner has been told.

    Kept by username as typed (lower-cased), so attempts on names that do not exist are counted
    the same way and nobody learns which usernames exist from how they are treated.
    """

    username = models.CharField(max_length=150, blank=True)
    client_address = models.CharField(max_length=45, blank=True)
    channel = models.CharField(max_length=20, choices=SignInChannel.choices)
    at = models.DateTimeField(default=timezone.now)
    told_at = models.DateTimeField(null=True, blank=True, help_text="When the account's owner was told.")

    class Meta:
        ordering = ["-at"]
        indexes = [
            models.Index(fields=["username", "at"], name="failed_sign_in_by_name"),
            models.Index(fields=["client_address", "at"], name="failed_sign_in_by_address"),
        ]

    def __str__(self) -> str:
        return f"{self.username or '?'} from {self.client_address or '?'} at {self.at:%Y-%m-%d %H:%M}"


class SignInLock(models.Model):
    """A username (or, with no username, a network address) refused sign-in until `locked_until`."""

    username = models.CharField(max_length=150, blank=True)
    client_address = models.CharField(max_length=45, blank=True)
    locked_at = models.DateTimeField(default=timezone.now)
    locked_until = models.DateTimeField()
    told_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-locked_at"]
        indexes = [
            models.Index(fields=["username", "locked_until"], name="sign_in_lock_by_name"),
            models.Index(fields=["client_address", "locked_until"], name="sign_in_lock_by_address"),
        ]

    def __str__(self) -> str:
        return f"{self.username or self.client_address} until {self.locked_until:%Y-%m-%d %H:%M}"


class AgencySignOn(models.Model):
    """An agency's own OpenID Connect provider (an allauth SocialApp) and how its claims map to iomshare.

    Staff signing in through it join this agency only, in the role their `role_claim` maps to; a
    value mapped to nothing is refused. The provider's second factor (its `amr`/`acr`) stands in for
    iomshare's own only once the agency's information-governance lead has accepted exactly these values.
    """

    agency = models.OneToOneField(Agency, on_delete=models.CASCADE, related_name="sign_on")
    provider = models.OneToOneField(
        "socialaccount.SocialApp",
        on_delete=models.PROTECT,
        related_name="agency_sign_on",
        help_text="The OpenID Connect app (provider 'openid_connect'; its provider id names the sign-in URL).",
    )
    role_claim = models.CharField(
        max_length=100,
        default="groups",
        help_text="The claim holding the role or groups (a string or a list).",
    )
    role_mapping = models.JSONField(
        default=dict,
        blank=True,
        help_text='Claim value to iomshare role, e.g. {"iom-officers": "practitioner", "ig": "ig_lead"}.',
    )
    provisions_new_staff = models.BooleanField(
        default=True,
        help_text="Create an account at first sign-in (otherwise only existing staff are matched).",
    )
    second_factor_amr = models.CharField(
        max_length=200,
        blank=True,
        help_text="`amr` values that mean a second factor was used, e.g. 'mfa otp hwk'.",
    )
    second_factor_acr = models.CharField(
        max_length=200, blank=True, help_text="`acr` values that mean a second factor was used."
    )
    second_factor_accepted_by = models.ForeignKey(
        StaffMember, on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    second_factor_accepted_at = models.DateTimeField(null=True, blank=True, editable=False)
    second_factor_accepted_for = models.CharField(
        max_length=420, blank=True, editable=False, help_text="The amr and acr values the acceptance was for."
    )

    class Meta:
        verbose_name = "agency single sign-on"
        verbose_name_plural = "agency single sign-on"

    def __str__(self) -> str:
        return f"{self.agency} through {self.provider.name}"

    @property
    def second_factor_values(self) -> str:
        """The amr and acr values as one text, compared with what was accepted."""
        return (
            f"amr={' '.join(self.second_factor_amr.split())};acr={' '.join(self.second_factor_acr.split())}"
        )

    @property
    def accepts_provider_second_factor(self) -> bool:
        """Whether the IG lead's acceptance stands: changing the values afterwards voids it."""
        return bool(
            self.second_factor_accepted_at
            and (self.second_factor_amr.strip() or self.second_factor_acr.strip())
            and self.second_factor_accepted_for == self.second_factor_values
        )

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if not isinstance(self.role_mapping, dict):
            raise ValidationError({"role_mapping": "Give an object of claim value to role."})
        allowed = {r.value for r in Role if r is not Role.SYSTEM}
        wrong = sorted(str(v) for v in self.role_mapping.values() if v not in allowed)
        if wrong:
            raise ValidationError(
                {
                    "role_mapping": f"Not a role staff can be given: {', '.join(wrong)} (use {', '.join(sorted(allowed))})."
                }
            )
        if self.provider_id and self.provider.provider != "openid_connect":
            raise ValidationError({"provider": "Choose an OpenID Connect app (provider 'openid_connect')."})
