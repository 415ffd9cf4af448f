"""golive: run the production deployment checklist you already write in Markdown."""

__version__ = "0.1.0"
