"""Commands of the ``crmbridge`` CLI that live outside ``cli.py``, one module each."""
