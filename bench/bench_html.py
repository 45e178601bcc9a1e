"""Worst-case time to extract a saved page within the limits (``MAX_HTML_CHARS``, ``MAX_HTML_ELEMENTS``).

usage: python bench/bench_html.py [--elements 10000] [--chars 2000000] [--content 600000] [--repeat 3]

An attacker controls the page, so each case is a shape that makes HTML parsers or main-text
extraction slow, sized to just within the limits: flat runs of tags, deep nesting, a huge table,
link lists, text-heavy paragraphs (filling the character limit), unclosed scripts and comments (the
pre-parse stripping), and a page over the element limit (refused before parsing). The slowest case
bounds the time one page can cost a worker; ``MAX_HTML_REQUEST_ELEMENTS`` bounds a request.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from common import load_average, write_result  # noqa: E402

from service.html_text import HtmlExtractionError, extract_page  # noqa: E402


def hostile_pages(n: int, chars: int, content: int) -> dict[str, str]:
    """Pages of just under ``n`` elements (at most ``chars`` characters, ``content`` of them outside
    scripts and comments) that are slow to extract."""
    n -= 3  # html, body and a wrapper
    words = "Shelling continued near the front line overnight, officials said, as talks stalled. "
    per_p = max(10, content // n - 12)
    text = (words * (per_p // len(words) + 1))[:per_p]
    body = {
        "flat_tags": "<b>a</b>" * n,
        "deep_nesting": "<div>" * n + "x" + "</div>" * n,
        "deep_unclosed": "<div><span>a" * (n // 2),
        "huge_table": "<table>" + ("<tr>" + "<td>cell text</td>" * 19 + "</tr>") * (n // 20) + "</table>",
        "nested_tables": "<table><tr><td>" * (n // 3) + "x" + "</td></tr></table>" * (n // 3),
        "link_lists": "<ul>" + '<li><a href="/x">Related story here</a></li>' * (n // 2) + "</ul>",
        "text_paragraphs": "<article>" + "".join(f"<p>{i} {text}</p>" for i in range(n - 5)) + "</article>",
        "unclosed_scripts": "<p>" + words + "</p>" + "<script" * (chars // 8),
        "comment_bomb": "<p>" + words * 3 + "</p>" + "<!--" * (chars // 5),
    }
    return {name: f"<html><body>{html}</body></html>"[:chars] for name, html in body.items()}


def padded(html: str, chars: int) -> str:
    """``html`` with an inline script that fills it up to ``chars`` (real pages carry megabytes of JS)."""
    filler = chars - len(html) - len("<script></script>")
    return html.replace("<body>", "<body><script>" + "var x = 1;" * (filler // 10) + "</script>", 1)


def time_page(html: str, n: int, content: int, repeat: int) -> tuple[float, str]:
    best = float("inf")
    outcome = ""
    for _ in range(repeat):
        start = time.perf_counter()
        try:
            page = extract_page(html, max_elements=n, max_content_chars=content)
            outcome = f"{len(page.text)} chars of text"
        except HtmlExtractionError as exc:
            outcome = "refused: " + str(exc)[:60]
        best = min(best, time.perf_counter() - start)
    return best, outcome


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--elements", type=int, default=10_000)
    parser.add_argument("--chars", type=int, default=2_000_000)
    parser.add_argument("--content", type=int, default=600_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    extract_page("<p>warm up: import trafilatura and its dictionaries.</p>" * 3, max_elements=10)
    pages = hostile_pages(args.elements, args.chars, args.content)
    pages["text_paragraphs+script"] = padded(pages["text_paragraphs"], args.chars)
    pages["over_element_limit"] = "<html><body>" + "<b>a</b>" * (args.elements * 10) + "</body></html>"
    for name in sorted((REPO / "fixtures" / "html").glob("*.html")):
        pages[f"fixture:{name.stem}"] = name.read_text()
    rows = []
    print(f"| page | characters | seconds (best of {args.repeat}) | outcome |\n|---|---|---|---|")
    for name, html in pages.items():
        seconds, outcome = time_page(html, args.elements, args.content, args.repeat)
        rows.append({"page": name, "chars": len(html), "seconds": round(seconds, 3), "outcome": outcome})
        print(f"| {name} | {len(html):,} | {seconds:.3f} | {outcome} |", flush=True)
    worst = max(rows, key=lambda r: r["seconds"])
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(f"\nworst: {worst['page']} {worst['seconds']} s; peak RSS {peak} MiB; load {load_average()}")
    write_result(
        "html",
        {"limits": vars(args), "rows": rows, "worst": worst, "peak_rss_mib": peak, "load": load_average()},
    )


if __name__ == "__main__":
    main()
