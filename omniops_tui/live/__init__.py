"""The Textual-free live engine: checklists, sampler, log hub, diagnostics, the session."""
