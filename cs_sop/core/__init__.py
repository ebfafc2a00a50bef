"""The SOP rules as pure Python: no `frappe` import anywhere in this package.

The Frappe layer (hooks, doctypes, jobs) calls these functions; they are unit-tested with
pytest on any machine (`tests/unit`).
"""
