"""The domain model every layer shares: papers, a user's annotations, their status and tags.

Nothing here does I/O or imports another part of reader, so parsing, storage, search, export,
learning, sync, the service layer and both front ends can all depend on it (see the layering
test in tests/test_architecture.py).

- paper.py: ``Paper`` (one merged paper), ``Source`` (file and line), paper ids and folding.
- annotation.py: ``Annotation`` (one paper's judgement), ``Status`` and ``STATUSES``.
- tags.py: tag name normalisation.
- latex.py: LaTeX display form (pylatexenc) and the fast path that folding uses.
"""

from reader.model.annotation import STATUSES, Annotation, Status
from reader.model.paper import Paper, Source
from reader.model.tags import normalize_tags

__all__ = ["STATUSES", "Annotation", "Paper", "Source", "Status", "normalize_tags"]
