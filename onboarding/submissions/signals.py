from django.dispatch import Signal

# A reviewed step stopped before it is sent (lifecycle `reviewed`): the KYC review opens.
# Sent inside the transaction that holds it, with `step` and `actor` (None for the worker).
step_held = Signal()

# An admin cancelled a case's submission: nothing more is sent, so nothing waits for review.
# Sent inside the cancelling transaction, with `case` and `actor`.
submission_cancelled = Signal()

# The sweeper finished a round, with `swept`: how many lost steps it sent again.
steps_swept = Signal()

# The worker stopped a step for good (failed, or needs a person's decision): its RM is told.
# Sent inside the closing transaction, with `step`.
step_stopped = Signal()

# A step that had stopped went through after a person queued it again: its RM is told.
# Sent inside the closing transaction, with `step`.
step_recovered = Signal()
