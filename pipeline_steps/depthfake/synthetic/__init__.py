"""What tests and benchmarks generate: faces, videos, random-weight depth models and
detector bundles."""
