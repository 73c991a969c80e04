"""`benchgap simulate`: replicate worlds with known truth, distorted and fitted, every estimator scored."""
