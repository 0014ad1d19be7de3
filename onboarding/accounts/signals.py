from django.dispatch import Signal

# Sent after a person's second factor changed: `user`, `actor` (None: the person themselves)
# and `change` (a `TwoFactorChange`). The staff package records it in the audit trail.
two_factor_changed = Signal()
