"""Evidence cut out of its article at the stored offsets, paragraph by paragraph."""

from app.desk.highlight import Span, in_context, paragraphs

TEXT = "First paragraph, not quoted.\n\nThe truce was agreed. Both sides said so.\nLast one."


def _marked(found: list) -> list[str]:  # type: ignore[type-arg]
    return [piece.text for p in found for piece in p.pieces if piece.marked]


def test_a_quote_is_marked_inside_its_own_paragraph_only() -> None:
    start = TEXT.index("The truce")
    found = in_context(TEXT, Span(start, start + len("The truce was agreed."), 7))

    assert len(found) == 1
    assert "".join(piece.text for piece in found[0].pieces) == (
        "The truce was agreed. Both sides said so."
    )
    assert _marked(found) == ["The truce was agreed."]
    assert found[0].pieces[0].records == [7]


def test_overlapping_quotes_of_two_records_are_cut_where_they_meet() -> None:
    a = TEXT.index("truce")
    b = TEXT.index("agreed")
    found = paragraphs(TEXT, [Span(a, b + 6, 1), Span(b, TEXT.index("Both") + 4, 2)])

    pieces = [(p.text, p.records) for p in found[1].pieces if p.marked]
    assert pieces == [("truce was ", [1]), ("agreed", [1, 2]), (". Both", [2])]


def test_offsets_outside_the_text_mark_nothing() -> None:
    assert _marked(paragraphs(TEXT, [Span(5, 5000, 1), Span(-3, 2, 1)])) == []
    assert in_context(TEXT, Span(10, 4, 1)) == []
