"""The journal's forms: they parse what people type; the services decide."""
