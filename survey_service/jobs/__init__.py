"""Background jobs: the queue engine (huey), the job functions, and the worker process that runs them.

A request records a job (``db/models/job.py``) and puts its id on the queue; a worker process takes the
id, runs the job's function with progress and cancellation, and records the outcome. See README "Jobs".
"""
