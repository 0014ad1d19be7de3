from django.dispatch import Signal

# A draft was discarded (`services.case_discard`), inside its lock: what the packages above
# keep of the client on the case goes with it. Sent with `case`.
draft_discarded = Signal()

# A section's data was stored (`services.case_section_save`), inside the case's lock. Sent
# with `case`, `section` and `actor`.
section_saved = Signal()
