"""``benchgap arena``: Arena ratings and votes, the win-probability lens, and the simulated-votes check."""
