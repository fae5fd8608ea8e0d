"""Staff-defined, coloured tags on ideas."""
