from django_tasks_db.management.commands import db_worker

from iomshare.jobs import worker


class Command(db_worker.Command):
    help = (
        "Run queued jobs (imports, linkage runs, retention sweeps, alert delivery) until stopped; "
        "several may run side by side. Ctrl+C finishes the job in hand, then stops."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.set_defaults(queue_name="*", reload=False)

    def handle(self, *args, **options):
        # db_worker builds its own Worker; ours adds the heartbeat and recovery of dead workers' jobs.
        db_worker.Worker = worker.Worker  # type: ignore[misc]  # handle() names the class; it has no hook
        super().handle(*args, **options)
