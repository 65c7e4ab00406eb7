"""Field encryption of the most sensitive personal data (SECURITY.md E4, E5): AES-256-GCM, keys from the environment.

``keys`` reads the keys (``FIELD_ENCRYPTION_KEYS``, ``BLIND_INDEX_KEY``, or their ``_FILE`` forms), ``cipher``
encrypts, decrypts and computes keyed blind indexes, ``fields`` holds the model fields that use them, ``rotation``
re-encrypts every row and history row under the newest key (``manage.py rotate_field_keys``).
"""
