"""Read models for people: one library function per view (review queue, contact, search).

The CLI commands (`review list`, `history`), the console pages and the JSON API all call
these functions, so the three show the same data. They read the state store (and, for a
contact the mirror lacks, the CRM through a callable the caller passes).
"""
