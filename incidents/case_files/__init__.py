"""Attachments to a case: PDF, PNG or JPEG, checked by content, stored privately, served through a permission check."""
