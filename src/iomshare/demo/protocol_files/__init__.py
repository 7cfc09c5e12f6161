"""YAML files of the demo partnership's protocols (loaded by demo.protocols)."""
