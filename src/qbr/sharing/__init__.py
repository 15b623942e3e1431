"""Share links: a read-only link to one published review version that works without an account."""
