"""The plan of a run, torch-free: the grid a config implies, the catalogue of names, the
data-set check, resources, provenance."""
