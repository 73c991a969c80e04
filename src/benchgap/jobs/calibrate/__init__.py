"""`benchgap calibrate`: simulation-based calibration of the fit model on tables drawn from its priors."""
