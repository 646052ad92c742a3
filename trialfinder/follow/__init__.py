"""Following a trial or a search: the subscriptions store, digests, mail and feeds."""
