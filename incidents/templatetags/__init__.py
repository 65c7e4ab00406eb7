"""Template tags of the incidents app: ``detainer_export``; the case page's ``case_privacy``, ``case_attachments``."""
