"""The outbox: every email Fourfold sends is first a row here, written in the same transaction
as the change that causes it, then sent by the background worker (django.tasks, with
django-tasks-db's database backend), with retries. Nothing here knows the domain: it holds
addresses, subjects and bodies, so any app may queue mail (`outbox.services.queue_email`).
"""
