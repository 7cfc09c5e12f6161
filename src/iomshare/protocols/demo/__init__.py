"""YAML files of the demo partnership's protocols (loaded by protocols.demo_protocols)."""
