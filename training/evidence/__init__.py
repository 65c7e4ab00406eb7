"""Certificate files behind certifications: upload checks, storage, download (SECURITY.md F8)."""
