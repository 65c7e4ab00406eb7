"""Files uploaded for import: reading them, keeping them until the uploader confirms the preview, and the pages."""
