"""The partnership's own governance: the health check (the questions every partnership should ask itself)."""
