"""The disclosure ledger: an append-only, hash-chained record of who saw or changed what, and why.

No foreign keys: the ledger outlives the staff, items and people it names. Entries are sharded into
lanes so that many writers can append at once; each lane is its own hash chain (see hashing.py), and
signed checkpoints record every lane's head.
"""

from __future__ import annotations

import json
from typing import Any

from django.db import models

from iomshare.ledger.hashing import canonical_json

LANES = 16


class Channel(models.TextChoices):
    WEB = "web", "Web"
    API = "api", "API"
    CLI = "cli", "Command line"
    SYSTEM = "system", "System"


class Action(models.TextChoices):
    VIEW = "view", "Viewed"
    SEARCH = "search", "Searched"
    EXPORT = "export", "Exported"
    REPORT = "report", "Ran a ledger report"
    ITEM_RECORDED = "item_recorded", "Recorded an item"
    ITEM_CORRECTED = "item_corrected", "Corrected an item"
    ITEM_WITHDRAWN = "item_withdrawn", "Withdrew an item"
    SIGN_IN = "sign_in", "Signed in"
    SIGN_IN_FAILED = "sign_in_failed", "Failed to sign in"
    SIGN_OUT = "sign_out", "Signed out"
    TOKEN_ISSUED = "token_issued", "Issued an API token"
    TOKEN_REVOKED = "token_revoked", "Revoked an API token"
    ADMIN_CHANGE = "admin_change", "Changed administration data"
    NOTIFICATION = "notification", "Was notified"
    SHARING_DECISION = "sharing_decision", "Sharing decision"
    REQUEST = "request", "Request for information"
    REQUEST_MADE = "request_made", "Asked for a one-off disclosure"
    REQUEST_APPROVED = "request_approved", "Approved a one-off disclosure"
    REQUEST_REFUSED = "request_refused", "Refused a one-off disclosure"
    REQUEST_WITHDRAWN = "request_withdrawn", "Withdrew an approved one-off disclosure"
    SUBJECT_ACCESS = "subject_access", "Subject access pack"
    MERGE = "merge", "Merged records"
    DISPOSED = "disposed", "Disposed of an item"
    CONSENT_RECORDED = "consent_recorded", "Recorded a person's consent to sharing"
    CONSENT_WITHDRAWN = "consent_withdrawn", "Recorded the withdrawal of consent"
    CONSENT_OVERRIDDEN = "consent_overridden", "Overrode the need for consent"
    ACCESS_LIST_CHANGED = "access_list_changed", "Changed a person's access list"
    COHORT_CHANGED = "cohort_changed", "Changed the cohort"
    CASE_WORK = "case_work", "Recorded case work (actions, meetings, referrals)"
    REQUEST_ESCALATED = "request_escalated", "Escalated an overdue request for information"
    ACCOUNT_LOCKED = "account_locked", "Sign-in locked after failed attempts"
    PASSWORD_CHANGED = "password_changed", "Changed their password"
    SECOND_FACTOR_CHANGED = "second_factor_changed", "Set up or removed a second factor"
    SECOND_FACTOR_RESET = "second_factor_reset", "Reset someone's second factor"
    PROTOCOL_DRAFTED = "protocol_drafted", "Drafted a new protocol version"
    PROTOCOL_EDITED = "protocol_edited", "Changed a draft protocol version"
    PROTOCOL_APPROVED = "protocol_approved", "Approved a protocol version for their agency"
    PROTOCOL_CHANGES_ASKED = "protocol_changes_asked", "Asked for changes to a draft protocol version"
    PROTOCOL_IN_FORCE = "protocol_in_force", "Put a protocol version in force"
    PROTOCOL_SUSPENDED = "protocol_suspended", "Suspended a protocol"
    PROTOCOL_ENDED = "protocol_ended", "Ended a protocol"


# Actions through which item content reaches someone: these make a person a recipient of an item.
DISCLOSURE_ACTIONS = (Action.VIEW, Action.EXPORT, Action.SHARING_DECISION, Action.REQUEST)


class Outcome(models.TextChoices):
    ALLOWED = "allowed", "Allowed"
    REFUSED = "refused", "Refused"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


class CanonicalJSONField(models.TextField):
    """JSON kept as its canonical text, so the stored bytes are exactly the hashed bytes."""

    # For django-stubs: set and read as JSON values, not as the text a TextField holds.
    _pyi_private_set_type: Any
    _pyi_private_get_type: Any

    def from_db_value(self, value: str | None, expression, connection) -> Any:
        return None if value is None else json.loads(value)

    def to_python(self, value: Any) -> Any:
        return json.loads(value) if isinstance(value, str) else value

    def get_prep_value(self, value: Any) -> str:
        return canonical_json(value)


class LedgerEntry(models.Model):
    at = models.DateTimeField()
    lane = models.SmallIntegerField()
    lane_seq = models.BigIntegerField()
    prev_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64)
    actor_id = models.BigIntegerField(null=True, blank=True)
    actor_username = models.CharField(max_length=150, blank=True)
    actor_agency = models.CharField(max_length=40, blank=True, help_text="Agency code of the actor.")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    action = models.CharField(max_length=30, choices=Action.choices)
    purpose = models.CharField(max_length=60, blank=True)
    person_id = models.UUIDField(null=True, blank=True)
    item_ids = CanonicalJSONField(default=list)
    holding_agencies = CanonicalJSONField(default=list, help_text="Codes of the agencies holding the items.")
    clauses = CanonicalJSONField(default=list, help_text="Protocol clauses or decisions relied on.")
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    request_id = models.CharField(max_length=64, blank=True)
    client_address = models.CharField(max_length=45, blank=True)
    details = CanonicalJSONField(default=dict)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = "ledger entry"
        verbose_name_plural = "ledger entries"
        constraints = [models.UniqueConstraint(fields=["lane", "lane_seq"], name="ledger_one_entry_per_seq")]
        indexes = [
            models.Index(fields=["person_id", "at", "id"], name="ledger_person_at"),
            models.Index(fields=["actor_id", "at", "id"], name="ledger_actor_at"),
            models.Index(fields=["actor_agency", "at", "id"], name="ledger_agency_at"),
            models.Index(fields=["at", "id"], name="ledger_at"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.action} by {self.actor_username or 'nobody'} at {self.at:%Y-%m-%d %H:%M}"


class AgencyDisclosure(models.Model):
    """Index row: `entry` disclosed items held by `holding_agency` to staff of another agency.

    Derived from the entry's own chained fields (holding_agencies, actor_agency) when it is appended,
    so an agency's disclosure log is an index scan rather than a search of every entry.
    """

    entry = models.ForeignKey(
        LedgerEntry, on_delete=models.DO_NOTHING, db_constraint=False, related_name="disclosures"
    )
    holding_agency = models.CharField(max_length=40)
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["holding_agency", "at", "entry"], name="ledger_disclosure_at")]

    def __str__(self) -> str:
        return f"{self.holding_agency} disclosure in entry {self.entry_id}"


class Checkpoint(models.Model):
    """A signed statement of every lane's head: truncating or rewriting a lane behind it is caught."""

    seq = models.BigIntegerField(unique=True)
    at = models.DateTimeField()
    entry_count = models.BigIntegerField()
    lane_heads = CanonicalJSONField(help_text="[[lane_seq, entry_hash], ...] for lanes 0..N-1.")
    prev_checkpoint_hash = models.CharField(max_length=64)
    key_id = models.CharField(max_length=64, help_text="SHA-256 of the raw Ed25519 public key.")
    public_key = models.CharField(max_length=64, help_text="Raw Ed25519 public key, hex.")
    signature = models.CharField(max_length=128)

    class Meta:
        ordering = ["-seq"]

    def __str__(self) -> str:
        return f"Checkpoint {self.seq} ({self.entry_count} entries)"
