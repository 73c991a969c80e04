"""`benchgap report`: sensitivity analysis, breakdown points and a verdict for a finished simulate sweep."""
