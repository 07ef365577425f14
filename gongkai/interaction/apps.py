from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _install_presets(sender, **kwargs):
    """The shipped ticket time-limit presets after every migrate and every
    flush (tests that commit data flush), like the catalog's vocabularies.
    Idempotent: presets the office edited are left as they are."""
    from . import ticket_presets
    from .models import DeadlinePreset, DeadlineRule

    ticket_presets.install(DeadlinePreset, DeadlineRule)


def _ticket_published(ticket_id) -> bool:
    from .models import Ticket

    return Ticket.objects.filter(pk=ticket_id, publication=Ticket.Publication.PUBLISHED).exists()


def _consultation_public(consultation_id) -> bool:
    from .models import Consultation

    return Consultation.objects.filter(pk=consultation_id).exclude(state=Consultation.State.DRAFT).exists()


class InteractionConfig(AppConfig):
    name = "gongkai.interaction"
    label = "interaction"
    verbose_name = "政民互动"

    def ready(self):
        """Changes the public sees make cached public pages and API answers
        stale (gongkai.core.generation), in every process (web and worker):
        a ticket while published, the events that publish or withdraw it
        (withdrawal leaves the ticket unpublished, so its own save does not
        count), a reply to a published ticket, a consultation once out of
        draft, a shown comment and the items of published feedback."""
        from gongkai.core import generation

        post_migrate.connect(_install_presets, sender=self, dispatch_uid="interaction-install-presets")

        from .models import Consultation, ConsultationComment, FeedbackItem, Ticket, TicketEvent, TicketReply

        generation.watch(Ticket, when=lambda t: t.publication == Ticket.Publication.PUBLISHED)
        generation.watch(TicketEvent, when=lambda e: e.kind in (TicketEvent.Kind.PUBLISHED, TicketEvent.Kind.WITHDRAWN))
        generation.watch(TicketReply, when=lambda r: _ticket_published(r.ticket_id))
        generation.watch(Consultation, when=lambda c: c.state != Consultation.State.DRAFT)
        generation.watch(ConsultationComment, when=lambda c: c.state == ConsultationComment.State.SHOWN)
        generation.watch(FeedbackItem, when=lambda i: _consultation_public(i.consultation_id))
