"""Word lists for attribution cues and source kinds: the rules' vocabulary in one place, easy to review and extend."""

from __future__ import annotations

__all__ = [
    "ANONYMITY_MARKERS",
    "INFINITIVE_CUES",
    "OBJECT_CUES",
    "PREPOSITION_CUES",
    "BELIEF_CUES",
    "GOVERNMENT_HEADS",
    "GOVERNMENT_NAMES",
    "ORGANIZATION_HEADS",
    "PERSON_ROLES",
    "SPEECH_CUES",
    "VAGUE_HEADS",
]

#: verbs that report speech or writing (lemmas)
SPEECH_CUES = frozenset(
    """say tell add note claim state report announce explain warn insist argue assert suggest accuse deny acknowledge
    admit confirm write tweet declare stress emphasize emphasise maintain allege reply respond ask testify predict
    promise recall remark comment reveal disclose indicate contend concede complain urge charge mention observe
    conclude estimate recount quip joke boast vow pledge threaten inform assure caution hint speculate agree counter
    retort brag lament muse propose demand blame criticize criticise condemn praise question dispute reiterate repeat
    clarify concur advise caution contend forecast proclaim recommend underscore underline highlight post publish
    describe call cite support oppose endorse reject dismiss defend mock slam blast decry applaud hail welcome label
    dub brand tout insist suggest find discuss address acknowledge unveil rule ask urge encourage invite tell
    question attack""".split()
)
#: verbs that attribute a belief, intention or feeling (lemmas)
BELIEF_CUES = frozenset(
    """believe think feel fear hope expect suspect doubt worry assume guess reckon know understand realize realise
    want wish imagine consider suppose plan intend aim seek refuse decide agree vow pledge promise threaten
    see view regard""".split()
)
#: cue verbs whose content can be a direct object ("called them deplorables", "cited his remarks")
OBJECT_CUES = frozenset(
    """call cite support oppose endorse reject dismiss defend mock criticize criticise praise blame condemn deny
    propose demand announce mention discuss describe tweet post promise pledge reveal confirm acknowledge admit unveil
    question attack slam blast decry applaud hail welcome label dub brand tout address see view regard""".split()
)
#: cue verbs whose content can be a to-infinitive ("wants to", "urged voters to")
INFINITIVE_CUES = frozenset(
    """want plan promise vow pledge agree refuse threaten intend decide hope expect urge encourage ask tell call seek
    aim offer warn advise""".split()
)
#: cue verb + preposition whose object is the content ("called for", "spoke of", "complained about")
PREPOSITION_CUES = {"call": {"for"}, "speak": {"of", "about"}, "talk": {"about"}, "complain": {"about"},
                    "warn": {"of", "about", "against"}, "ask": {"for", "about"}, "argue": {"for", "against"},
                    "write": {"about", "of"}, "testify": {"about"}, "comment": {"on"}, "point": {"to"}}
#: words in a source phrase that mark it as deliberately unnamed
ANONYMITY_MARKERS = frozenset(
    """anonymous anonymously unnamed unidentified undisclosed anonymity familiar insider insiders""".split()
)
#: roles of people (lemmas): an unnamed one is an anonymous source
PERSON_ROLES = frozenset(
    """official source spokesman spokeswoman spokesperson aide diplomat officer insider person member employee staffer
    adviser advisor lawmaker investigator agent commander officer soldier resident witness man woman doctor
    representative operative strategist ally associate friend relative executive director manager analyst expert
    official""".split()
)
#: generic groups (lemmas): a bare plural of these is a vague source ("experts say")
VAGUE_HEADS = frozenset(
    """expert critic observer analyst people many some others other scientist researcher study report rumor rumour
    activist commentator pundit voice skeptic sceptic supporter opponent official authority insider""".split()
)
#: heads of government bodies (lemmas)
GOVERNMENT_HEADS = frozenset(
    """government ministry ministry department administration authority kremlin pentagon police military army
    embassy parliament congress senate regime cabinet presidency state ministry council agency""".split()
)
#: capitals and names standing for governments when they speak ("Damascus said", "Moscow accused")
GOVERNMENT_NAMES = frozenset(
    """Washington Moscow Damascus Beijing London Paris Berlin Tehran Ankara Kyiv Kiev Jerusalem Riyadh Brussels Tokyo
    Pyongyang Seoul Ottawa Canberra Delhi Islamabad Kabul Baghdad Cairo Doha Caracas Havana Minsk Warsaw Rome Madrid
    Kremlin Pentagon Whitehall Downing""".split()
)
#: organisation heads (lemmas) a definite mention ("the group") refers back through
ORGANIZATION_HEADS = frozenset(
    """group organization organisation company firm party campaign committee association union coalition network ngo
    movement agency outlet newspaper channel""".split()
)
