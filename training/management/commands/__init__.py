"""``manage.py`` commands of the training app: import_roster, refresh_training_facts."""
