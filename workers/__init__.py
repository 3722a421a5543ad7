"""Celery entry point: `celery -A workers.app worker` / `celery -A workers.app beat`.
Thin tasks only; they import incubator, never the reverse."""
