"""A test-only app that adds itself the way a new app does (docs/architecture.md, "Adding an app").

It is installed only by tests/test_registry_app.py (``override_settings(INSTALLED_APPS=...)``),
which checks that its menu item, household panel and ledger hook appear and fire without any file
outside this folder knowing about it.
"""
