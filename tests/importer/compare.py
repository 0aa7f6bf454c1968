"""Compare an imported draft with a curated plan: recall and precision per kind of item."""

from __future__ import annotations

from dataclasses import dataclass, field

from tracker.importer.draft import Draft
from tracker.services.seed import PlanSpec


@dataclass
class Score:
    kind: str
    expected: int = 0
    found: int = 0
    matched: int = 0
    missed: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.matched / self.expected if self.expected else 1.0

    @property
    def precision(self) -> float:
        return self.matched / self.found if self.found else 1.0

    def line(self) -> str:
        return (f"{self.kind:<16} recall {self.recall:6.1%} ({self.matched}/{self.expected})  "
                f"precision {self.precision:6.1%} ({self.matched}/{self.found})")


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _match(kind: str, expected: list[tuple[str, tuple[int, int], tuple]],
           found: list[tuple[str, tuple[int, int], tuple]]) -> Score:
    """One-to-one, in order: each curated item takes the first unused draft item whose
    source overlaps it, or (for measures) that has the same number and unit."""
    score = Score(kind, expected=len(expected), found=len(found))
    used: set[int] = set()
    for label, span, key in expected:
        hit = next((i for i, (_, s, k) in enumerate(found)
                    if i not in used and (_overlaps(s, span) or (key and k == key))), None)
        if hit is None:
            score.missed.append(label)
        else:
            used.add(hit)
            score.matched += 1
    score.extra = [found[i][0] for i in range(len(found)) if i not in used]
    return score


def compare(draft: Draft, spec: PlanSpec) -> list[Score]:
    def span(s) -> tuple[int, int]:
        return (s.start, s.end)

    return [
        _match("headline targets",
               [(t.code, span(t.span), ()) for t in spec.headline_targets],
               [(t.code, span(t.source), ()) for t in draft.targets]),
        _match("areas",
               [(a.code, span(a.span), ()) for a in spec.areas],
               [(a.code, span(a.source), ()) for a in draft.areas]),
        _match("key tasks",
               [(k.code, span(k.span), ()) for a in spec.areas for k in a.tasks],
               [(t.code, span(t.source), ()) for t in draft.tasks]),
        _match("measures",
               [(m.code + " " + m.span.quote, span(m.span),
                 (m.indicator.target_value, m.indicator.unit, m.span.start // 400))
                for a in spec.areas for k in a.tasks for m in k.measures],
               [(m.code + " " + m.source.quote, span(m.source),
                 (m.value, m.unit, m.source.start // 400)) for m in draft.measures]),
    ]


def report(scores: list[Score]) -> str:
    lines = ["importer vs curated seed (2023 沙河口区):"]
    for s in scores:
        lines.append("  " + s.line())
        if s.missed:
            lines.append(f"    missed: {', '.join(s.missed)}")
        if s.extra:
            lines.append(f"    extra:  {', '.join(s.extra)}")
    return "\n".join(lines)
