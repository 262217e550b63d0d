"""Jobs: background work with progress, for the person who asked (API, staff pages and the worker)."""
