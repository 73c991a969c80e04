"""Typed records at the seams between jobs (``fit_summary``: ``summary.json``; ``simulate_result``:
``result.json``) and the JSON helpers that write them whole or not at all (``files``)."""
