"""The scheduler: APScheduler jobs in a persistent store, run by exactly one elected process.

See docs/scheduler.md. Job functions live with their capabilities; bot/jobs.py lists the specs.
"""
from bot.scheduler.leader import ADVISORY_LOCK_KEY, lock_file_path
from bot.scheduler.runner import JobContext, JobStats, run_job
from bot.scheduler.service import JOBS_TABLE, LinliScheduler
from bot.scheduler.spec import JobSpec, cron, every

__all__ = ["ADVISORY_LOCK_KEY", "JOBS_TABLE", "JobContext", "JobSpec", "JobStats", "LinliScheduler",
           "cron", "every", "lock_file_path", "run_job"]
