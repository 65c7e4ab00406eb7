"""``manage.py`` commands of the incidents app: import_detainer_events."""
