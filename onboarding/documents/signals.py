from django.dispatch import Signal

# A document was attached, replaced, removed or restored on a case: an approval of the case's
# evidence no longer holds (onboarding/kyc). Sent inside the writing transaction, under the
# case's lock, with `case` and `actor`.
documents_changed = Signal()
