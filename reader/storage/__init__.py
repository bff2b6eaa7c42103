"""The user's reading list (stars, tags, notes, status) and how it is kept safe on disk.

- reading_list.py: ``ReadingList``, the API the app and CLI use.
- changes.py: ``Edit`` (one command's changes) and the per-field revert behind undo/redo.
- restore.py: ``restore_newest_backup`` and when it must refuse.

- errors.py: ``StoreError`` and its subclasses, each naming the file.
- schema.py: the TinyDB file layout and validation of a loaded file.
- json_file_storage.py: the TinyDB ``Storage``: atomic saves, lock, merge-on-write.
- atomic_file.py, locking.py, backups.py, permissions.py: the durability building blocks
  (permissions.py: read-only by choice, and owner/mode kept on every file we write).
"""
