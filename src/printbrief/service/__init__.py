"""The HTTP adapter (``printbrief serve``, optional extra): app, worker pool, result cache, metrics."""
