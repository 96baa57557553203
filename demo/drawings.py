"""Small SVG drawings that stand in for object photographs in the demo feeds.

This module owns the pictures: one simple, flat drawing per object *type* (a coin with a square hole,
a roundel textile, a ewer silhouette...), coloured with a muted palette per museum. It is used only by
``build_records.py``; the generated ``.svg`` files are package data served by ``feeds.py``.
Each file stays well under 4 KB so the whole demo ships light.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

# Per-museum palettes: (background, main, accent, line). Muted on purpose: these are placeholders.
PALETTES: dict[str, tuple[str, str, str, str]] = {
    "hz-silk": ("#f3ede1", "#3e5c76", "#b5563b", "#2b2b2b"),  # ivory, indigo, madder, ink
    "xa-history": ("#f1e7d6", "#b07a3a", "#5f7f4f", "#4a3323"),  # loess, amber, sancai green, umber
    "sam-afrosiab": ("#ece6da", "#2f5d8a", "#c8963e", "#3b2f2a"),  # plaster, lapis, ochre, soot
    "koeln-glass": ("#e9eeea", "#5d8c7b", "#8c6d46", "#33403a"),  # pale, glass green, bronze, slate
}


def _roundel(m: str, a: str, ln: str) -> str:
    dots = "".join(
        f'<circle cx="{cx}" cy="{cy}" r="4" fill="{a}"/>'
        for cx, cy in [
            (100, 40),
            (142, 58),
            (160, 100),
            (142, 142),
            (100, 160),
            (58, 142),
            (40, 100),
            (58, 58),
        ]
    )
    return (
        f'<rect x="15" y="15" width="170" height="170" fill="{m}" opacity=".85"/>'
        f'<circle cx="100" cy="100" r="60" fill="none" stroke="{a}" stroke-width="6"/>{dots}'
        f'<path d="M80 120 q-10-30 10-40 q15-5 20 10 q5-15 20-10 q20 10 10 40 z" fill="{a}" stroke="{ln}"/>'
    )


def _lozenge(m: str, a: str, ln: str) -> str:
    cells = "".join(
        f'<path d="M{x} {y - 18} l18 18 l-18 18 l-18 -18 z" fill="{a if (x + y) % 72 else m}" stroke="{ln}" '
        f'stroke-width="1"/>'
        for x in range(36, 180, 36)
        for y in range(36, 180, 36)
    )
    return f'<rect x="15" y="15" width="170" height="170" fill="{m}" opacity=".5"/>{cells}'


def _gauze(m: str, a: str, ln: str) -> str:
    lines = "".join(
        f'<line x1="20" y1="{y}" x2="180" y2="{y}" stroke="{m}" stroke-width="2"/>'
        for y in range(25, 180, 10)
    )
    cols = "".join(
        f'<line x1="{x}" y1="20" x2="{x}" y2="180" stroke="{a}" stroke-width="1"/>'
        for x in range(25, 180, 12)
    )
    return f'<rect x="18" y="18" width="164" height="164" fill="none" stroke="{ln}"/>{lines}{cols}'


def _embroidery(m: str, a: str, ln: str) -> str:
    petals = "".join(
        f'<ellipse cx="100" cy="65" rx="14" ry="32" fill="{a}" '
        f'stroke="{ln}" transform="rotate({r} 100 100)"/>'
        for r in range(0, 360, 60)
    )
    return (
        f'<rect x="20" y="20" width="160" height="160" rx="8" fill="{m}" opacity=".3"/>{petals}'
        f'<circle cx="100" cy="100" r="14" fill="{m}" stroke="{ln}"/>'
    )


def _kesi(m: str, a: str, ln: str) -> str:
    return (
        f'<rect x="25" y="20" width="150" height="160" fill="{m}" opacity=".25" stroke="{ln}"/>'
        f'<path d="M100 170 C95 130 70 110 60 80" stroke="{ln}" fill="none" stroke-width="3"/>'
        f'<circle cx="60" cy="70" r="22" fill="{a}"/><circle '
        f'cx="120" cy="90" r="16" fill="{a}" opacity=".8"/>'
        f'<path d="M130 60 q15-10 25 0 q-10 5-25 0" fill="{m}"/>'
    )


def _banner(m: str, a: str, ln: str) -> str:
    return (
        f'<path d="M70 20 h60 l-30 22 z" fill="{a}" stroke="{ln}"/>'
        f'<rect x="75" y="42" width="50" height="110" fill="{m}" stroke="{ln}"/>'
        f'<path d="M80 152 v28 M92 152 v32 M108 152 v32 M120 152 v28" stroke="{a}" stroke-width="5"/>'
        f'<circle cx="100" cy="80" r="12" fill="{a}"/><rect x="90" y="95" width="20" height="45" fill="{a}"/>'
    )


def _coin(m: str, a: str, ln: str, hole: bool) -> str:
    inner = (
        f'<rect x="84" y="84" width="32" height="32" fill="#fff" stroke="{ln}" stroke-width="3"/>'
        '<g font-family="serif" font-size="22" text-anchor="middle" fill="#fff8">'
        '<text x="100" y="66">·</text><text x="100" y="150">·</text></g>'
        if hole
        # A ruler's bust (head and shoulders), as on solidi and drachms.
        else f'<circle cx="100" cy="84" r="20" fill="{m}" stroke="{ln}" stroke-width="2"/>'
        f'<path d="M66 146 q0-36 34-40 q34 4 34 40 z" fill="{m}" stroke="{ln}" stroke-width="2"/>'
    )
    return (
        f'<circle cx="100" cy="100" r="72" fill="{a}" stroke="{ln}" stroke-width="3"/>'
        f'<circle cx="100" cy="100" r="60" fill="none" stroke="{ln}" stroke-width="1.5"/>{inner}'
    )


def _bowl(m: str, a: str, ln: str) -> str:
    return (
        f'<path d="M30 80 h140 q-10 70-70 75 q-60-5-70-75 z" fill="{m}" stroke="{ln}" stroke-width="2"/>'
        f'<rect x="82" y="155" width="36" height="10" fill="{m}" stroke="{ln}"/>'
        f'<path d="M45 100 h110" stroke="{a}" stroke-width="4"/>'
    )


def _dish(m: str, a: str, ln: str) -> str:
    return (
        f'<ellipse cx="100" cy="100" rx="80" ry="80" fill="{m}" stroke="{ln}" stroke-width="2"/>'
        f'<ellipse cx="100" cy="100" rx="50" ry="50" fill="none" stroke="{a}" stroke-width="4"/>'
        f'<path d="M80 105 q20-25 40 0 q-20 15-40 0" fill="{a}"/>'
    )


def _ewer(m: str, a: str, ln: str) -> str:
    return (
        f'<path d="M85 40 h30 l-3 35 q40 20 35 65 q-5 30-47 32 q-42-2-47-32 q-5-45 35-65 z" fill="{m}" '
        f'stroke="{ln}" stroke-width="2"/><path d="M85 42 l-20 -12" stroke="{ln}" stroke-width="5"/>'
        f'<path d="M145 95 q25 5 10 45" fill="none" stroke="{ln}" stroke-width="5"/>'
        f'<path d="M62 120 h76" stroke="{a}" stroke-width="4"/>'
    )


def _jar(m: str, a: str, ln: str) -> str:
    return (
        f'<path d="M75 40 h50 v15 q45 20 40 70 q-5 40-65 45 q-60-5-65-45 q-5-50 40-70 z" fill="{m}" '
        f'stroke="{ln}" stroke-width="2"/><path d="M50 100 q50 '
        f'25 100 0" fill="none" stroke="{a}" stroke-width="6"/>'
    )


def _vase(m: str, a: str, ln: str) -> str:
    return (
        f'<path d="M88 25 h24 l-4 40 q40 30 25 85 q-8 25-33 28 q-25-3-33-28 q-15-55 25-85 z" fill="{m}" '
        f'stroke="{ln}" stroke-width="2"/><path d="M75 120 h50" stroke="{a}" stroke-width="3"/>'
    )


def _cup(m: str, a: str, ln: str) -> str:
    return (
        f'<path d="M55 50 h90 l-10 80 h-70 z" fill="{m}" stroke="{ln}" stroke-width="2"/>'
        f'<path d="M145 70 q25 0 20 25 q-5 15-25 15" fill="none" stroke="{ln}" stroke-width="5"/>'
        f'<path d="M85 130 v25 h-15 v10 h60 v-10 h-15 v-25" fill="{a}" stroke="{ln}"/>'
    )


def _goblet(m: str, a: str, ln: str) -> str:
    return (
        f'<path d="M60 30 h80 q0 60-40 70 q-40-10-40-70 z" fill="{m}" stroke="{ln}" stroke-width="2" '
        f'opacity=".85"/><path d="M96 100 h8 v55 h-8 z" fill="{m}" stroke="{ln}"/>'
        f'<ellipse cx="100" cy="160" rx="35" ry="8" fill="{m}" stroke="{ln}"/>'
        f'<path d="M66 50 h68" stroke="{a}" stroke-width="4"/>'
    )


def _beaker(m: str, a: str, ln: str) -> str:
    return (
        f'<path d="M65 30 h70 l-12 140 h-46 z" fill="{m}" stroke="{ln}" stroke-width="2" opacity=".85"/>'
        f'<path d="M70 70 q30 15 60 0 M72 100 q28 15 56 0 M75 130 q25 15 50 0" fill="none" stroke="{a}" '
        f'stroke-width="3"/>'
    )


def _bottle(m: str, a: str, ln: str) -> str:
    return (
        f'<path d="M92 25 h16 v55 q40 15 35 55 q-5 35-43 35 q-38 0-43-35 q-5-40 35-55 z" fill="{m}" '
        f'stroke="{ln}" stroke-width="2" opacity=".85"/>'
        f'<path d="M65 120 q35 20 70 0 M62 140 q38 20 76 0" fill="none" stroke="{a}" stroke-width="2"/>'
    )


def _beads(m: str, a: str, ln: str) -> str:
    beads = "".join(
        f'<circle cx="{x}" cy="{100 + (x - 100) ** 2 // 160}" '
        f'r="11" fill="{m if i % 2 else a}" stroke="{ln}"/>'
        f'<circle cx="{x}" cy="{100 + (x - 100) ** 2 // 160}" r="4" fill="#fff" opacity=".7"/>'
        for i, x in enumerate(range(30, 180, 24))
    )
    return f'<path d="M20 95 q80 70 160 0" fill="none" stroke="{ln}"/>{beads}'


def _mirror(m: str, a: str, ln: str) -> str:
    return (
        f'<circle cx="100" cy="100" r="78" fill="{m}" stroke="{ln}" stroke-width="3"/>'
        f'<circle cx="100" cy="100" r="55" fill="none" stroke="{a}" stroke-width="5" stroke-dasharray="8 6"/>'
        f'<circle cx="100" cy="100" r="14" fill="{a}" stroke="{ln}" stroke-width="2"/>'
    )


def _ball(m: str, a: str, ln: str) -> str:
    return (
        f'<circle cx="100" cy="105" r="55" fill="{m}" stroke="{ln}" stroke-width="2"/>'
        f'<path d="M45 105 h110" stroke="{ln}" stroke-width="2"/>'
        f'<g fill="{a}"><circle cx="75" cy="85" r="7"/><circle cx="100" cy="75" r="7"/>'
        f'<circle cx="125" cy="85" r="7"/><circle cx="85" '
        f'cy="125" r="7"/><circle cx="115" cy="125" r="7"/></g>'
        f'<path d="M100 50 v-25" stroke="{ln}" stroke-width="3"/>'
    )


def _camel(m: str, a: str, ln: str) -> str:
    return (
        f'<path d="M40 110 q10-30 30-25 q5-25 20-5 q10-20 25 0 q20-5 30 15 l12-45 q10-8 15 2 l-10 10 '
        f'l-10 50 q-5 10-20 12 h-85 z" fill="{m}" stroke="{ln}" stroke-width="2"/>'
        f'<path d="M55 122 v50 M75 122 v50 M115 122 v50 M135 122 v50" stroke="{ln}" stroke-width="7"/>'
        f'<path d="M62 88 q20-20 40 0" fill="{a}"/>'
    )


def _horse(m: str, a: str, ln: str) -> str:
    return (
        f'<path d="M45 95 q5-20 30-20 h55 l15-30 q12-8 18 5 l-8 10 l-8 35 q-5 15-25 15 h-60 q-20 0-17-15 z" '
        f'fill="{m}" stroke="{ln}" stroke-width="2"/>'
        f'<path d="M60 110 v60 M80 110 v60 M125 110 v60 M140 105 v65" stroke="{ln}" stroke-width="7"/>'
        f'<path d="M85 78 h35 v22 h-35 z" fill="{a}"/>'
    )


def _person(m: str, a: str, ln: str) -> str:
    return (
        f'<circle cx="100" cy="45" r="18" fill="{m}" stroke="{ln}" stroke-width="2"/>'
        f'<path d="M86 32 l14-20 l14 20 z" fill="{a}"/>'
        f'<path d="M75 68 h50 l12 100 h-74 z" fill="{m}" stroke="{ln}" stroke-width="2"/>'
        f'<path d="M75 75 l-20 45 M125 75 l20 45" stroke="{ln}" stroke-width="7"/>'
        f'<rect x="70" y="168" width="60" height="10" fill="{a}"/>'
    )


def _scroll(m: str, a: str, ln: str) -> str:
    rows = "".join(
        f'<path d="M{x} 55 v90" stroke="{ln}" stroke-width="2" stroke-dasharray="4 3"/>'
        for x in range(150, 50, -12)
    )
    return (
        f'<rect x="40" y="45" width="125" height="110" fill="{m}" opacity=".35" stroke="{ln}"/>'
        f'<rect x="28" y="40" width="12" height="120" rx="4" fill="{a}" stroke="{ln}"/>{rows}'
    )


def _codex(m: str, a: str, ln: str) -> str:
    rows = "".join(f'<path d="M60 {y} h80" stroke="{ln}" stroke-width="2"/>' for y in range(75, 160, 12))
    return (
        f'<rect x="45" y="30" width="110" height="145" fill="{m}" '
        f'opacity=".35" stroke="{ln}" stroke-width="2"/>'
        f'<rect x="60" y="42" width="80" height="20" fill="{a}"/>{rows}'
    )


def _leaf(m: str, a: str, ln: str) -> str:
    rows = "".join(
        f'<path d="M45 {y} q55 -6 110 0" fill="none" stroke="{ln}" stroke-width="3"/>'
        for y in range(60, 150, 18)
    )
    return (
        f'<rect x="30" y="40" width="140" height="120" fill="{m}" '
        f'opacity=".3" stroke="{ln}" stroke-width="2"/>'
        f'{rows}<circle cx="160" cy="52" r="5" fill="{a}"/>'
    )


def _painting(m: str, a: str, ln: str) -> str:
    return (
        f'<path d="M25 40 l40-15 l60 8 l50-10 l5 60 l-10 70 l-70 10 l-75-8 z" fill="{m}" opacity=".45" '
        f'stroke="{ln}" stroke-width="2"/><circle cx="80" cy="75" r="13" fill="{a}"/>'
        f'<path d="M67 90 h26 l8 55 h-42 z" fill="{a}"/><circle '
        f'cx="130" cy="80" r="13" fill="{ln}" opacity=".6"/>'
        f'<path d="M117 95 h26 l8 50 h-42 z" fill="{ln}" opacity=".6"/>'
    )


def _ossuary(m: str, a: str, ln: str) -> str:
    arches = "".join(
        f'<path d="M{x} 150 v-40 q12-18 24 0 v40" fill="none" stroke="{ln}" stroke-width="2"/>'
        for x in (40, 76, 112, 148 - 12)
    )
    return (
        f'<path d="M25 70 l75-35 l75 35 z" fill="{a}" stroke="{ln}" stroke-width="2"/>'
        f'<rect x="30" y="70" width="140" height="90" fill="{m}" stroke="{ln}" stroke-width="2"/>{arches}'
    )


def _tile(m: str, a: str, ln: str) -> str:
    return (
        f'<rect x="30" y="30" width="140" height="140" fill="{m}" stroke="{ln}" stroke-width="2"/>'
        f'<path d="M100 40 l60 60 l-60 60 l-60-60 z" fill="{a}"/>'
        f'<circle cx="100" cy="100" r="20" fill="{m}" stroke="#fff" stroke-width="3"/>'
    )


def _ikat(m: str, a: str, ln: str) -> str:
    shapes = "".join(
        f'<path d="M100 {y} q30 15 0 30 q-30-15 0-30" fill="{a if y % 60 else m}" stroke="{ln}"/>'
        for y in range(25, 170, 30)
    )
    return (
        f'<rect x="40" y="20" width="120" height="160" fill="{m}" opacity=".35"/>{shapes}'
        f'<path d="M50 20 v160 M150 20 v160" stroke="{a}" stroke-width="8"/>'
    )


def _shoe(m: str, a: str, ln: str) -> str:
    return (
        f'<path d="M30 130 q0-30 40-35 l50-10 q30 0 40 25 q15-5 15-25 q10 30-10 55 h-125 q-10 0-10-10 z" '
        f'fill="{m}" stroke="{ln}" stroke-width="2"/><path d="M60 115 h80" stroke="{a}" stroke-width="6"/>'
    )


def _whorl(m: str, a: str, ln: str) -> str:
    return (
        f'<ellipse cx="100" cy="110" rx="60" ry="28" fill="{m}" stroke="{ln}" stroke-width="2"/>'
        f'<ellipse cx="100" cy="100" rx="60" ry="28" fill="{a}" stroke="{ln}" stroke-width="2"/>'
        f'<ellipse cx="100" cy="100" rx="8" ry="4" fill="{ln}"/><path d="M100 20 v180" stroke="{ln}" '
        f'stroke-width="3" opacity=".5"/>'
    )


def _loom(m: str, a: str, ln: str) -> str:
    warp = "".join(f'<path d="M{x} 60 L{x} 150" stroke="{a}" stroke-width="1.5"/>' for x in range(60, 145, 7))
    return (
        f'<path d="M40 170 L55 40 M160 170 L145 40 M50 60 h100 M45 150 h110 M40 170 h120" stroke="{ln}" '
        f'stroke-width="6" fill="none"/>{warp}<rect x="55" y="95" width="90" height="10" fill="{m}"/>'
    )


def _shuttle(m: str, a: str, ln: str) -> str:
    return (
        f'<path d="M20 100 q80-40 160 0 q-80 40-160 0 z" fill="{m}" stroke="{ln}" stroke-width="2"/>'
        f'<rect x="75" y="92" width="50" height="16" rx="6" fill="{a}" stroke="{ln}"/>'
    )


def _silkworm(m: str, a: str, ln: str) -> str:
    segs = "".join(
        f'<circle cx="{x}" cy="{100 + (8 if i % 2 else -8)}" r="17" fill="{m if i % 2 else a}" '
        f'stroke="{ln}"/>'
        for i, x in enumerate(range(45, 160, 22))
    )
    return f'<path d="M35 140 h130" stroke="{ln}" stroke-width="2" opacity=".5"/>{segs}'


def _panel(m: str, a: str, ln: str) -> str:
    return (
        f'<rect x="30" y="25" width="140" height="150" fill="{m}" stroke="{ln}" stroke-width="3"/>'
        f'<path d="M50 170 v-90 q50-50 100 0 v90" fill="{a}" stroke="{ln}" stroke-width="2" opacity=".8"/>'
        f'<circle cx="100" cy="95" r="12" fill="{m}"/><path d="M88 110 h24 l6 55 h-36 z" fill="{m}"/>'
    )


def _plaque(m: str, a: str, ln: str) -> str:
    return (
        f'<rect x="45" y="35" width="110" height="130" rx="10" fill="{m}" stroke="{ln}" stroke-width="3"/>'
        f'<circle cx="100" cy="80" r="16" fill="{a}"/><path d="M80 100 h40 l10 50 h-60 z" fill="{a}"/>'
    )


def _chess(m: str, a: str, ln: str) -> str:
    return (
        f'<path d="M55 150 q0-60 20-70 q25-15 50 0 q20 10 20 '
        f'70 z" fill="{m}" stroke="{ln}" stroke-width="2"/>'
        f'<path d="M75 85 q-25 10-20 45" fill="none" stroke="{ln}" stroke-width="6"/>'
        f'<circle cx="105" cy="60" r="14" fill="{a}" '
        f'stroke="{ln}"/><rect x="45" y="150" width="110" height="15" '
        f'fill="{a}"/>'
    )


def _earring(m: str, a: str, ln: str) -> str:
    return (
        f'<circle cx="100" cy="70" r="35" fill="none" stroke="{a}" stroke-width="8"/>'
        f'<path d="M100 105 v25" stroke="{a}" stroke-width="4"/>'
        f'<circle cx="100" cy="145" r="15" fill="{a}" stroke="{ln}"/>'
        f'<g fill="{m}"><circle cx="93" cy="140" r="3"/><circle cx="107" cy="140" r="3"/>'
        f'<circle cx="100" cy="152" r="3"/></g>'
    )


def _lamp(m: str, a: str, ln: str) -> str:
    return (
        f'<path d="M40 110 q20-30 70-25 l55 10 l-5 15 l-45 5 q-50 25-75-5 z" fill="{m}" stroke="{ln}" '
        f'stroke-width="2"/><path d="M165 95 q10-20 0-30" stroke="{a}" stroke-width="5" fill="none"/>'
        f'<circle cx="40" cy="95" r="12" fill="none" stroke="{ln}" stroke-width="4"/>'
    )


def _horn(m: str, a: str, ln: str) -> str:
    return (
        f'<path d="M25 60 q60 0 110 50 q20 25 35 60 l-12 6 q-15-35-35-55 q-45-40-98-45 z" fill="{m}" '
        f'stroke="{ln}" stroke-width="2"/><path d="M60 68 l-3 12 M100 85 l-8 10 M130 112 l-10 8" '
        f'stroke="{a}" stroke-width="5"/>'
    )


def _pyxis(m: str, a: str, ln: str) -> str:
    return (
        f'<ellipse cx="100" cy="60" rx="55" ry="14" fill="{a}" stroke="{ln}" stroke-width="2"/>'
        f'<path d="M45 60 v85 q55 30 110 0 v-85" fill="{m}" stroke="{ln}" stroke-width="2"/>'
        f'<path d="M70 85 v55 M100 88 v60 M130 85 v55" stroke="{a}" stroke-width="4"/>'
    )


def _reliquary(m: str, a: str, ln: str) -> str:
    return (
        f'<path d="M35 80 l65-40 l65 40 z" fill="{a}" stroke="{ln}" stroke-width="2"/>'
        f'<rect x="40" y="80" width="120" height="75" fill="{m}" stroke="{ln}" stroke-width="2"/>'
        f'<g fill="{a}"><circle cx="70" cy="118" r="10"/><circle cx="100" cy="118" r="10"/>'
        f'<circle cx="130" cy="118" r="10"/></g><path d="M100 '
        f'20 v20 M90 28 h20" stroke="{ln}" stroke-width="4"/>'
    )


DRAWINGS = {
    "roundel": _roundel,
    "lozenge": _lozenge,
    "gauze": _gauze,
    "embroidery": _embroidery,
    "kesi": _kesi,
    "banner": _banner,
    "bowl": _bowl,
    "dish": _dish,
    "ewer": _ewer,
    "jar": _jar,
    "vase": _vase,
    "cup": _cup,
    "goblet": _goblet,
    "beaker": _beaker,
    "bottle": _bottle,
    "beads": _beads,
    "mirror": _mirror,
    "ball": _ball,
    "camel": _camel,
    "horse": _horse,
    "person": _person,
    "scroll": _scroll,
    "codex": _codex,
    "leaf": _leaf,
    "painting": _painting,
    "ossuary": _ossuary,
    "tile": _tile,
    "ikat": _ikat,
    "shoe": _shoe,
    "whorl": _whorl,
    "loom": _loom,
    "shuttle": _shuttle,
    "silkworm": _silkworm,
    "panel": _panel,
    "plaque": _plaque,
    "chess": _chess,
    "earring": _earring,
    "lamp": _lamp,
    "horn": _horn,
    "pyxis": _pyxis,
    "reliquary": _reliquary,
}


def draw(kind: str, museum_id: str, title: str) -> str:
    """Return a complete SVG document for one object (``kind`` is ``Obj.pic``)."""
    bg, main, accent, line = PALETTES[museum_id]
    if kind in ("coin", "coin_hole"):
        body = _coin(main, accent, line, hole=kind == "coin_hole")
    else:
        body = DRAWINGS[kind](main, accent, line)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<svg xmlns="http://www.w3.org/2000/svg" width="400" height="400" viewBox="0 0 200 200" role="img">'
        f"<title>{escape(title)} (demo drawing)</title>"
        f'<rect width="200" height="200" fill="{bg}"/>{body}</svg>\n'
    )
