"""PDF-level work after WeasyPrint: merging articles, pooling fonts, PDF objects, compact writing, preflight."""
