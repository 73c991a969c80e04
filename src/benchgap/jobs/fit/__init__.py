"""`benchgap fit`: one score table -> the posterior gap between two groups, its report and files."""
