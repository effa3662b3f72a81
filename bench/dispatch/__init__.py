"""Dispatch benchmarks (docs/dispatch-benchmarks.md): VRPTW instances and a synthetic field-service day."""
