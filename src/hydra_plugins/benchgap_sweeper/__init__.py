"""benchgap's Hydra plugins: the saltelli sweeper (``hydra/sweeper=saltelli``)."""
