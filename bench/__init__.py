"""The API benchmark (docs/benchmarks.md). Not part of the product: nothing here is imported by it."""
