"""A brand's own data from CSV: sites, owners and vehicles, all rows or none."""
