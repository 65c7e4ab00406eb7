"""``manage.py`` commands of the compliance app: import_agencies, run_jobs, seed_demo."""
