"""Identity resolution: which CRM contact wrote an interaction, and why we think so."""
