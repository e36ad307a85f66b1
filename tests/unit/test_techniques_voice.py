"""Whose voice a technique span is in: the writer's, a direct quotation's speaker, or reported speech (no model)."""

from __future__ import annotations

from veracity.analyzers.techniques import _statement, _voice_spans, voice_of, voice_summary
from veracity.doc import Span

TEXT = (
    'Officials met on Monday. "These thugs are destroying our country," said Senator Ruiz. '
    "Critics claimed the plan was a disaster. The plan was said to be a scandal."
)
QUOTE = (TEXT.index('"These'), TEXT.index(',"') + 2)
SPEAKER = (TEXT.index("Senator Ruiz"), TEXT.index("Senator Ruiz") + len("Senator Ruiz"))
REPORTED = (TEXT.index("the plan was"), TEXT.index("disaster") + len("disaster"))
CRITICS = (TEXT.index("Critics"), TEXT.index("Critics") + len("Critics"))
UNSOURCED = (TEXT.index("to be a scandal"), TEXT.index("scandal") + len("scandal"))


def _att(rng: tuple[int, int], label: str, source: tuple[int, int] | None, **extra: object) -> Span:
    src = {"start": source[0], "end": source[1]} if source else None
    return Span(rng[0], rng[1], label, attrs={"source": src, "resolved_source": None, **extra})


ATTRIBUTIONS = [
    _att(QUOTE, "direct", SPEAKER),
    # a clause the parser found inside the quotation, with a nonsense "source": the whole quotation must win
    _att(
        (TEXT.index("our country"), TEXT.index("our country") + 11),
        "direct",
        (TEXT.index("These"), TEXT.index("thugs") + 5),
    ),
    _att(REPORTED, "indirect", CRITICS),
    _att(UNSOURCED, "indirect", None),
]
VOICED = _voice_spans(TEXT, ATTRIBUTIONS)


def _span(phrase: str) -> tuple[int, int]:
    start = TEXT.index(phrase)
    return start, start + len(phrase)


def test_a_span_inside_a_quotation_is_quoted_with_its_speaker() -> None:
    voice = voice_of(TEXT, *_span("These thugs are destroying our country"), VOICED)
    assert voice["voice"] == "quoted" and voice["speaker"] == "Senator Ruiz"
    assert (
        voice["speaker_span"] == {"start": SPEAKER[0], "end": SPEAKER[1]} and voice["attribution"] == "attributions/0"
    )
    inner = voice_of(TEXT, *_span("our country"), VOICED)
    assert inner["speaker"] == "Senator Ruiz"  # not the clause parsed inside the quote


def test_reported_speech_with_a_source_is_reported_and_unsourced_content_stays_the_writers() -> None:
    assert voice_of(TEXT, *_span("a disaster"), VOICED) == {
        "voice": "reported",
        "speaker": "Critics",
        "speaker_span": {"start": CRITICS[0], "end": CRITICS[1]},
        "attribution": "attributions/2",
    }
    assert voice_of(TEXT, *_span("a scandal"), VOICED) == {"voice": "writer"}  # "was said to": nobody answers for it
    assert voice_of(TEXT, *_span("Officials met"), VOICED) == {"voice": "writer"}


def test_a_span_mostly_outside_the_quotation_is_the_writers() -> None:
    start = TEXT.index("Monday")
    end = TEXT.index("These") + len("These")
    assert voice_of(TEXT, start, end, VOICED)["voice"] == "writer"


def test_resolved_source_names_the_speaker_of_a_pronoun() -> None:
    he = (TEXT.index("Officials"), TEXT.index("Officials") + 9)
    att = _att(QUOTE, "direct", (0, 3), resolved_source={"start": he[0], "end": he[1]})
    voice = voice_of(TEXT, *_span("These thugs"), _voice_spans(TEXT, [att]))
    assert voice["speaker"] == "Officials"


def test_density_counts_the_writers_words_and_quoted_words_apart() -> None:
    spans = [
        Span(*_span("These thugs"), "Name_Calling,Labeling", attrs={"voice": "quoted"}),
        Span(*_span("a disaster"), "Loaded_Language", attrs={"voice": "reported"}),
    ]
    summary = voice_summary(TEXT, spans, VOICED)
    assert summary["writer"]["techniques"] == 0 and summary["writer"]["per_1000_words"] == 0.0
    assert summary["quoted"] == {"techniques": 1, "words": 6, "per_1000_words": round(1000 / 6, 2)}
    assert summary["reported"]["words"] == 5 and summary["reported"]["techniques"] == 1
    total = len(TEXT.replace(",", " ").replace(".", " ").replace('"', " ").split())
    assert sum(summary[v]["words"] for v in ("writer", "reported", "quoted")) == total
    assert summary["writers_wording"] == {
        "techniques": 1,
        "words": total - 6,
        "per_1000_words": round(1000 / (total - 6), 2),
    }
    assert "inside direct quotations" in _statement(summary) and "1 of them in reported speech" in _statement(summary)
    quoted_only = voice_summary(TEXT, spans[:1], VOICED)
    assert quoted_only["writers_wording"]["per_1000_words"] == 0.0
    assert _statement(quoted_only) == (
        "The one persuasion technique found is inside a direct quotation, not in the writer's own words."
    )
    two = voice_summary(TEXT, [spans[0], spans[0]], VOICED)
    assert "All 2 persuasion techniques found are inside direct quotations; none is" in _statement(two)


def test_an_unresolved_first_person_source_is_the_writer() -> None:
    me = TEXT.index("Officials")
    text = TEXT[:me] + "I" + TEXT[me + 1 :]  # same length: offsets stay valid
    att = _att(_span("Officials met"), "indirect", (me, me + 1))
    assert voice_of(text, *_span("Officials met"), _voice_spans(text, [att])) == {"voice": "writer"}


def test_statement_reports_the_writers_density_first() -> None:
    voices = {
        "writer": {"techniques": 1, "words": 300, "per_1000_words": 3.33},
        "reported": {"techniques": 1, "words": 100, "per_1000_words": 10.0},
        "quoted": {"techniques": 1, "words": 50, "per_1000_words": 20.0},
        "writers_wording": {"techniques": 2, "words": 400, "per_1000_words": 5.0},
    }
    assert _statement(voices) == (
        "2 persuasion techniques in the writer's own words (5 per 1,000 words, 1 of them in reported speech);"
        " 1 more inside direct quotations."
    )
    empty = {k: {"techniques": 0, "words": 10, "per_1000_words": 0.0} for k in voices}
    assert _statement(empty) == "No persuasion technique recognised."


def test_repetition_needs_a_word_that_recurs() -> None:
    from veracity.analyzers.techniques import recurs

    text = "They are invaders. The invaders are coming, the border is open, and nobody acts."
    first = text.index("invaders")
    assert recurs(text, first, first + len("invaders"))  # "invaders" comes again
    nobody = text.index("nobody acts")
    assert not recurs(text, nobody, nobody + len("nobody acts"))
    # short words count only when the passage has no longer one
    assert recurs(text, text.index("are"), text.index("are") + 3)
    lie = "A big lie. Then a big lie again."
    assert recurs(lie, 2, 9) and not recurs("A big lie. Then more.", 2, 9)
