"""Pages for detainers and incidents (thin: forms validate, services write, selectors read)."""
