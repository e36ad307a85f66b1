"""Sourcing analysis helpers: quotation marks, cue and source lexicons, outlet names and domains, reliability ratings.

The analyzers ``attributions`` and ``sources`` build on these; ``claims.claim_sourcing`` tells whether a claim is
sourced, anonymously sourced or unsourced.
"""
