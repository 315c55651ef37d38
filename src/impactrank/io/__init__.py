"""Reading and writing: inputs, published tables, the workspace store and exports."""
