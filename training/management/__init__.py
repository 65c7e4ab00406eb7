"""Django management commands of the training app (in ``commands``)."""
