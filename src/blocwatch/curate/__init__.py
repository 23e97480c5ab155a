"""Code that builds the project's curated data tables from raw sources."""
