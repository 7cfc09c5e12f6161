"""What the cohort tells the layers above it, without importing them.

`cohort_changed` is sent inside the transaction of every change to a person's cohort status (the
history row and its ledger entry are written first), so a receiver that writes in the same
transaction (the alerts outbox) keeps "an event exists only if its change does".
"""

from django.dispatch import Signal

# Sent with change=<people.models.CohortChange>.
cohort_changed = Signal()
