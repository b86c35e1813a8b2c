"""The Triton backend of the cuda device: one module per kernel family, twins of
`tritorch/reference` (issue 4 adds the first families)."""
