"""From pasted listing files to clean, merged paper records.

- corpus.py: ``load_corpus`` (files and directories in, a merged ``Corpus`` out).
- parallel.py: uncached files parsed in worker processes when there are cores and bytes
  enough for it to pay; a failed worker costs at most its own file.
- decode.py: bytes to lines (UTF-8, BOM, cp1252/Latin-1 fallback, binary detection).
- listings.py: the three listing formats, one parser each, detected by content.
- names.py: splitting a title glued to its author list.
- bibtex_import.py: BibTeX files (ours and the user's) as records.
- merge.py: exact duplicates merged, near duplicates linked.
- cache.py: parsed corpora (and derived data) cached on disk.
- problems.py: ``Problem`` (``PATH:LINE: message``) and ``ParsedFile``.
"""
