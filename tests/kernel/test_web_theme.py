"""The look: muted text keeps WCAG AA contrast (4.5:1) on the page and on cards in both themes, the
dark theme follows the system preference, and printing shows whole pages without the menus."""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CSS = (ROOT / "static" / "css" / "app.css").read_text()


def _luminance(colour: str) -> float:
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(first: str, second: str) -> float:
    high, low = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def variables(block: str) -> dict[str, str]:
    return dict(re.findall(r"--(cm-[\w-]+):\s*(#[0-9a-fA-F]{6})", block))


def themes() -> tuple[dict, dict]:
    dark_at = CSS.index("@media (prefers-color-scheme: dark)")
    light = variables(CSS[CSS.index(":root {"):dark_at])
    dark = variables(CSS[dark_at:CSS.index("}\n}", dark_at)])
    return light, dark


def test_muted_text_has_aa_contrast_on_page_and_cards_in_both_themes():
    for theme in themes():
        for background in ("cm-page", "cm-surface", "cm-chip-bg", "cm-window"):
            assert contrast(theme["cm-muted"], theme[background]) >= 4.5, (theme["cm-muted"], background)


def test_the_dark_theme_redefines_every_colour_and_pico_follows_the_system():
    light, dark = themes()
    assert set(dark) == set(light)
    base = (ROOT / "templates" / "base.html").read_text()
    assert "data-theme" not in base  # Pico picks light or dark from prefers-color-scheme


def test_printing_hides_the_menus_and_forms():
    printed = CSS[CSS.index("@media print"):]
    for selector in (".site-header", ".site-footer", ".skip-link", ".detail-side .other-actions", "form"):
        assert selector in printed
