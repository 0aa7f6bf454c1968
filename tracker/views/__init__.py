"""The web UI's views: thin. They read through selectors, write through services, and ask
tracker.rules.permissions who may do what."""
