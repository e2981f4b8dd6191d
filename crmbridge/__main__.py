"""``python -m crmbridge`` runs the command line."""

from crmbridge.cli import main

main()
