"""Template tags of the incidents app: ``detainer_export`` (the detainer log's export form), ``case_privacy``."""
