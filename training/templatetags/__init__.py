"""Template tags of the training app: ``training_status`` (a roster status as a USWDS tag)."""
