"""One cold load, phase by phase: CPU seconds and the process's peak RSS after each (issue 12).

    XDG_CACHE_HOME=$(mktemp -d) python benchmarks/cold_peak.py /work/bench-scale/c1m

The same phases as the cold step of ``scale.py`` (parse + merge, index, then link and write
the cache), in this process, with an empty cache (point XDG_CACHE_HOME at a new directory).
The last phase is split: as in ``scale.py``, ``finish_loading`` first writes an unlinked
snapshot to the cache, then links, then writes the linked corpus; the peak RSS is read
before and after each write, so a peak raised by linking tells apart from one raised by
writing the cache. CPU time
(``time.process_time``), not wall time: the machine is shared. Prints one JSON line.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def _point() -> tuple[float, float]:
    """(peak RSS in MB so far, CPU seconds so far)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return round(peak), round(time.process_time(), 2)


def main() -> None:
    import reader.parsing.corpus as corpus_module
    from reader.search.cached import engine_for

    corpus = corpus_module.load_corpus([Path(sys.argv[1])], link=False)
    merged = _point()
    engine_for(corpus)
    indexed = _point()
    points: dict[str, tuple[float, float]] = {}
    write_cache = corpus_module._write_cache

    def measured_write(*args: Any, **kwargs: Any) -> None:
        stage = "linked" if kwargs.get("linked") else "unlinked snapshot"
        points[f"{stage}, before its cache write"] = _point()
        write_cache(*args, **kwargs)
        points[f"{stage} cache written"] = _point()

    corpus_module._write_cache = measured_write
    corpus_module.finish_loading(corpus)  # as scale.py: snapshot, link, write again
    figures = {
        "papers": len(corpus.papers),
        "linked_papers": sum(1 for paper in corpus.papers if paper.possible_duplicates),
        "[peak RSS MB, CPU s] merged": merged,
        "indexed": indexed,
        **points,
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
