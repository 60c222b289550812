"""Rules: metadata + pure checks over the model and the access graph."""
