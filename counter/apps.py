from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CounterConfig(AppConfig):
    name = "counter"
    verbose_name = _("Counter")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        """Connect the procedures' reactions to what lower layers announce."""
        # Services enqueue letter tasks by name; an eager Celery (the demo) runs a
        # task only if it is registered in this process. The beat's checkpoint
        # task lives beside the checkpoints it writes.
        from counter import checkpoints as _checkpoint_task  # noqa: F401
        from counter import reactions
        from counter.letters import tasks as _letter_tasks  # noqa: F401
        from counter.services import case_card_work, visits

        reactions.card_operation_finished.connect(
            case_card_work.on_card_operation_finished
        )
        reactions.letter_expired.connect(visits.on_letter_expired)
        reactions.letter_undeliverable.connect(visits.on_letter_undeliverable)
