"""The hook other modules listen to (the health module acts on screening flags).

`instrument_scored` is sent after the transaction that stored an *identified* response to an
instrument questionnaire has committed, with:

    sender=Response, response=<Response>, person=<Person>, campaign=<Campaign>,
    result=<jingying.instruments.Result>

`result.flags` holds e.g. "safety_escalation" (PHQ-9 item 9 ≥ 1 or unanswered) and
`result.safety_priority` "urgent"/"emergent" (instruments.md §12.2). Anonymous responses are
scored for group figures but never sent: nobody can follow them up.

    from jingying.surveys.signals import instrument_scored

    def on_instrument_scored(sender, *, response, person, campaign, result, **kwargs): ...
    instrument_scored.connect(on_instrument_scored)
"""

from django.dispatch import Signal

instrument_scored = Signal()
