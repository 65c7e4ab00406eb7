"""Django management commands of the incidents app (in ``commands``)."""
