"""A test collection of real-sized shape (invented text): one article per outlet per event, 12 outlets
of two types in three countries, three events, and one wire story reprinted by four outlets
(verbatim, trimmed, with an added intro, lightly reworded)."""

from __future__ import annotations

from typing import Any

OUTLETS = {  # key: (type, country)
    "north-ledger": ("independent", "NL"),
    "harbour-gazette": ("independent", "GB"),
    "civic-herald": ("independent", "GB"),
    "valley-courier": ("independent", "NL"),
    "lakeside-post": ("independent", "GB"),
    "granite-times": ("independent", "NL"),
    "eastern-wire": ("state-aligned", "RU"),
    "steppe-voice": ("state-aligned", "RU"),
    "capital-bulletin": ("state-aligned", "RU"),
    "river-dispatch": ("state-aligned", "RU"),
    "union-daily": ("state-aligned", "RU"),
    "frontier-news": ("state-aligned", "RU"),
}
EVENTS = ("port-selenko-strike", "kessa-ceasefire-talks", "dunmore-grain-deal")
WIRE_REPRINTS = ("north-ledger", "valley-courier", "granite-times", "lakeside-post")

WIRE = (
    "Negotiators from both governments met in the lakeside town of Kessa on Thursday for a third round of "
    "talks on a ceasefire along the southern front, officials said. The talks, hosted by a neutral mediator, "
    "focused on a prisoner exchange, the return of displaced families and a corridor for grain ships leaving "
    "the southern ports. Diplomats described the atmosphere as businesslike but tense. A spokesman for the "
    "mediator said both delegations had agreed to keep negotiating next week and that a written framework "
    "could be ready by the end of the month. Neither side commented on the question of the occupied "
    "districts, which remains the main obstacle to any settlement. Earlier rounds collapsed after artillery "
    "fire near the front line killed four civilians. Aid agencies urged both sides to protect hospitals and "
    "water stations while the talks continue, warning that another winter without power would force "
    "thousands more families to leave their homes."
)

INDEPENDENT = (  # humanitarian framing; each article picks five of these sentences
    "Families near {place} said the {noun} had left them without water and power for days.",
    "Aid workers described hospitals running on generators and children sleeping in basements.",
    "Local volunteers organised convoys of food and medicine from neighbouring towns.",
    "Doctors warned that the humanitarian situation around {place} could worsen within a week.",
    "A school was turned into a shelter for two hundred displaced residents of {place}.",
    "Red Cross staff said clean water was now the most urgent need of civilians.",
    "Mothers queued outside a clinic whose windows had been blown out.",
    "The mayor of {place} appealed for blankets, insulin and baby formula.",
    "Relief agencies said roads into {place} were damaged but still passable for trucks.",
    "Elderly residents who stayed behind told of nights without heating.",
    "A field hospital treated dozens of injured civilians after the {noun}.",
    "Charities said donations had doubled since images of {place} spread online.",
    "Engineers worked through the night to restore the water station.",
    "Teachers moved lessons online because classrooms were needed as shelters.",
    "Volunteers from the harbour district delivered bread to families in cellars.",
    "Paramedics said ambulances could reach the outskirts only at night.",
    "A bakery reopened with flour donated by farmers from the valley.",
    "Nurses said they had worked three shifts in a row without rest.",
    "Children drew pictures of their houses for a charity exhibition.",
    "The regional council opened a hotline for missing relatives.",
    "Neighbours shared generators and cooked together in courtyards.",
)
STATE = (  # escalation framing
    "Officials in Moscow said the {noun} near {place} showed that Western weapons prolong the conflict.",
    "The foreign ministry warned that NATO involvement risked a direct confrontation.",
    "Military commanders said strikes against legitimate targets around {place} would continue.",
    "A ministry spokesman accused Western capitals of provoking a wider escalation.",
    "State television said air defence units had intercepted drones over the region.",
    "Analysts quoted by the ministry said foreign instructors were directing operations near {place}.",
    "The defence ministry published footage it said showed destroyed launchers.",
    "Lawmakers called for a firm response to what they described as Western aggression.",
    "The Kremlin said the {noun} proved that Kyiv was not interested in peace.",
    "Officials said sanctions had failed and the economy had adapted.",
    "Commentators warned that long-range missiles would cross a red line.",
    "The ministry said reserve units had been moved closer to {place}.",
    "Diplomats in Moscow said Western guarantees were worthless.",
    "Officials rejected reports of civilian casualties as fabrications.",
    "A senior general said nuclear deterrence remained an option of last resort.",
    "State media said the operation near {place} was proceeding according to plan.",
    "A deputy minister said the grain corridor was being used to smuggle weapons.",
    "Officials said Western mercenaries had been spotted among the defenders.",
    "The ministry claimed that foreign satellites guided the attacks.",
    "Parliament's defence committee demanded more production of drones.",
    "A presidential aide said talks were possible only on Moscow's terms.",
)
# A perfect difference set modulo 21: the translates {d + i} of two articles share exactly one
# sentence, so no two invented articles are near-copies of each other (only the wire reprints are).
DIFFERENCE_SET = (0, 1, 4, 14, 16)
PLACES = {
    "port-selenko-strike": "Port Selenko",
    "kessa-ceasefire-talks": "Kessa",
    "dunmore-grain-deal": "Dunmore",
}
NOUNS = {
    "port-selenko-strike": "drone strike",
    "kessa-ceasefire-talks": "talks",
    "dunmore-grain-deal": "deal",
}


def _wire_copy(outlet: str) -> str:
    words = WIRE.split()
    if outlet == "valley-courier":
        return " ".join(words[:70])  # trimmed at the end
    if outlet == "granite-times":
        return "From our correspondent, with agency reports. " + WIRE  # an added intro
    if outlet == "lakeside-post":  # lightly reworded
        swaps = {
            "Thursday": "Thursday morning",
            "officials": "diplomats",
            "businesslike": "calm",
            "tense": "wary",
        }
        return " ".join(swaps.get(w.strip(",."), w) for w in words)
    return WIRE


def articles() -> list[dict[str, Any]]:
    """36 articles: each outlet writes once about each event; four outlets reprint the wire story."""
    out = []
    for event in EVENTS:
        for key, (kind, _) in OUTLETS.items():
            if event == "kessa-ceasefire-talks" and key in WIRE_REPRINTS:
                text = _wire_copy(key)
            else:
                pool = INDEPENDENT if kind == "independent" else STATE
                shift = [k for k, (t, _) in OUTLETS.items() if t == kind].index(key) * 3 + EVENTS.index(event)
                chosen = [pool[(d + shift) % len(pool)] for d in DIFFERENCE_SET]
                text = " ".join(chosen).format(place=PLACES[event], noun=NOUNS[event])
            out.append(
                {
                    "id": f"{key}/{event}",
                    "outlet": key,
                    "event": event,
                    "title": f"{NOUNS[event].capitalize()} at {PLACES[event]}",
                    "text": text,
                    "published_at": f"2026-04-0{EVENTS.index(event) + 6}T08:00:00Z",
                    "url": f"https://{key}.example/{event}",
                    "outlet_attributes": {"type": kind},
                }
            )
    return out
