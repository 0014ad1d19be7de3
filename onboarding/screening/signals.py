from django.dispatch import Signal

# Sent after a new list version became current and its transaction committed; `version` is
# the ListVersion now in use. Ongoing re-screening hangs from it.
list_switched = Signal()
