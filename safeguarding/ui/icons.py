"""SPC variation and assurance icons in the NHS "Making Data Count" style, drawn here as SVG.

The convention (NHS England, "Making Data Count: getting started", 2019): a circle per icon;
variation in blue for improvement, orange for concern, purple for a change that is neither, grey
for common cause, with the last points lifted or lowered and an H or L for a high or low special
cause; assurance in blue when the target will be met (P, pass), orange when it will not without
change (F, fail), grey when it may or may not be (?). The shapes and letters carry the meaning as
well as the colour, and every icon has words: a <title> (shown on hover) and, where it stands
alone, an accessible name. These drawings are the project's own.
"""

from __future__ import annotations

import base64
import html

from safeguarding import signals

BLUE = "#005eb8"
ORANGE = "#b35900"
PURPLE = "#6f2c91"
GREY = "#4c6272"

# variation -> (colour, letter, where the last points sit: +1 high, -1 low, 0 flat)
VARIATION = {
    "improvement_high": (BLUE, "H", 1),
    "improvement_low": (BLUE, "L", -1),
    "concern_high": (ORANGE, "H", 1),
    "concern_low": (ORANGE, "L", -1),
    "neutral_high": (PURPLE, "H", 1),
    "neutral_low": (PURPLE, "L", -1),
    "common_cause": (GREY, "", 0),
}
# assurance -> (colour, letter)
ASSURANCE = {"pass": (BLUE, "P"), "fail": (ORANGE, "F"), "inconsistent": (GREY, "?")}

# Short words for the key and the cells' accessible names.
VARIATION_WORDS = {
    "improvement_high": "Improving (special cause, high)",
    "improvement_low": "Improving (special cause, low)",
    "concern_high": "Concern (special cause, high)",
    "concern_low": "Concern (special cause, low)",
    "neutral_high": "Unusually high (special cause)",
    "neutral_low": "Unusually low (special cause)",
    "common_cause": "Common cause (no significant change)",
}
ASSURANCE_WORDS = {
    "pass": "Target will be met (pass)",
    "fail": "Target will not be met without change (fail)",
    "inconsistent": "Target may or may not be met (hit and miss)",
}


def _svg(body: str, words: str, size: int, *, labelled: bool) -> str:
    """The icon as an <img> of an SVG data URI: Streamlit's HTML sanitiser keeps images but drops
    inline SVG. Inside a link (whose name says the words) it is decoration (empty alt); alone
    (the key) its alt text is the words. The title shows the words on hover."""
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" '
        f'viewBox="0 0 32 32">{body}</svg>'
    )
    source = "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")
    alt = html.escape(words) if labelled else ""
    return (
        f'<img class="sg-icon" src="{source}" width="{size}" height="{size}" alt="{alt}" '
        f'title="{html.escape(words)}">'
    )


def _source(icon_html: str) -> str:
    return icon_html.split('src="', 1)[1].split('"', 1)[0]


def variation_mark(variation: str | None) -> str:
    """The variation icon inside a scorecard cell, '' for no signal: the same drawing as
    ``variation_icon``, painted by a class from ``MARKS_CSS`` instead of an image of its own, so
    a scorecard of hundreds of cells does not carry hundreds of copies of eight drawings. It is
    decoration there (the cell's link names it in words); the title shows the words on hover."""
    if variation not in VARIATION:
        return ""
    return (
        f'<span class="sg-icon sg-mark sg-v-{variation}" aria-hidden="true" '
        f'title="{html.escape(VARIATION_WORDS[variation])}"></span>'
    )


def assurance_mark(assurance: str | None) -> str:
    """The assurance icon inside a scorecard cell, as ``variation_mark``; '' without a target."""
    if assurance not in ASSURANCE:
        return ""
    return (
        f'<span class="sg-icon sg-mark sg-a-{assurance}" aria-hidden="true" '
        f'title="{html.escape(ASSURANCE_WORDS[assurance])}"></span>'
    )


def _marks_css() -> str:
    rules = [
        ".sg-mark {display: inline-block; width: 28px; height: 28px; vertical-align: middle; "
        "background: no-repeat center / contain;}"
    ]
    rules += [
        f'.sg-v-{v} {{background-image: url("{_source(variation_icon(v))}");}}' for v in VARIATION
    ]
    rules += [
        f'.sg-a-{a} {{background-image: url("{_source(assurance_icon(a))}");}}' for a in ASSURANCE
    ]
    return "<style>\n" + "\n".join(rules) + "\n</style>"


def svg_markup(icon_html: str) -> str:
    """The SVG drawing inside an icon's <img> (for tests and for drawing elsewhere)."""
    source = icon_html.split('src="data:image/svg+xml;base64,', 1)[1].split('"', 1)[0]
    return base64.b64decode(source).decode("utf-8")


def variation_icon(variation: str | None, *, size: int = 28, labelled: bool = False) -> str:
    """The variation icon, '' for no signal."""
    if variation not in VARIATION:
        return ""
    colour, letter, way = VARIATION[variation]
    # Seven points along the middle; for a special cause the last three step up or down.
    xs = [6, 9.3, 12.6, 15.9, 19.2, 22.5, 25.8]
    ys = [19 - (way * 6 if i >= 4 else 0) for i in range(len(xs))]
    dots = "".join(
        f'<circle cx="{x}" cy="{y}" r="2.3" fill="{colour if (way and i >= 4) else GREY}"/>'
        for i, (x, y) in enumerate(zip(xs, ys, strict=True))
    )
    line = f'<polyline points="{" ".join(f"{x},{y}" for x, y in zip(xs, ys, strict=True))}" '
    line += f'fill="none" stroke="{GREY}" stroke-width="1.3"/>'
    # The letter sits clear of the points: below them when they rise, above when they fall.
    text = (
        f'<text x="16" y="{28 if way > 0 else 11}" font-size="10" font-family="Arial, sans-serif" '
        f'font-weight="700" text-anchor="middle" fill="{colour}">{letter}</text>'
        if letter
        else ""
    )
    ring = f'<circle cx="16" cy="16" r="14.5" fill="#ffffff" stroke="{colour}" stroke-width="2.5"/>'
    return _svg(
        ring + line + dots + text,
        VARIATION_WORDS[variation],
        size,
        labelled=labelled,
    )


def assurance_icon(assurance: str | None, *, size: int = 28, labelled: bool = False) -> str:
    """The assurance icon, '' when there is no target to assure against."""
    if assurance not in ASSURANCE:
        return ""
    colour, letter = ASSURANCE[assurance]
    ring = f'<circle cx="16" cy="16" r="14.5" fill="#ffffff" stroke="{colour}" stroke-width="2.5"/>'
    # The target as a dashed line through the process band.
    band = '<rect x="6" y="19.5" width="20" height="6" fill="#c3cbd0"/>'
    target_y = {"pass": 26.5, "fail": 18.5, "inconsistent": 22.5}[assurance]
    target = (
        f'<line x1="5" x2="27" y1="{target_y}" y2="{target_y}" stroke="{colour}" '
        'stroke-width="1.6" stroke-dasharray="2.5 1.5"/>'
    )
    text = (
        '<text x="16" y="15" font-size="13" font-family="Arial, sans-serif" font-weight="700" '
        f'text-anchor="middle" fill="{colour}">{letter}</text>'
    )
    return _svg(ring + band + target + text, ASSURANCE_WORDS[assurance], size, labelled=labelled)


def variation_words(variation: str | None) -> str:
    return signals.ICON_WORDS.get(variation or "", "No SPC signal")


# Every icon's drawing once, for the marks in scorecard cells.
MARKS_CSS = _marks_css()
