"""A tiny document model rendered to Markdown and to one self-contained HTML file (images embedded).

Reports build a list of blocks once; both renderings come from the same blocks, so they never disagree.
"""

import base64
import html
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 2


@dataclass(frozen=True)
class Paragraph:
    text: str
    strong: bool = False
    warning: bool = False


@dataclass(frozen=True)
class Table:
    header: list[str]
    rows: list[list[str]]


@dataclass(frozen=True)
class Figure:
    path: Path  # PNG; Markdown links it relative to the report, HTML embeds it
    caption: str


Block = Heading | Paragraph | Table | Figure

CSS = """
body { font-family: system-ui, sans-serif; max-width: 980px; margin: 2em auto; padding: 0 1em; color: #222; }
table { border-collapse: collapse; margin: 0.6em 0 1.2em; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 3px 8px; text-align: left; }
th { background: #f2f4f7; }
.warning { background: #fff1e6; border-left: 5px solid #c8402a; padding: 0.5em 1em; }
.strong { font-size: 1.15em; font-weight: 600; }
figure { margin: 1em 0; } figcaption { color: #555; font-size: 0.9em; }
img { max-width: 100%; }
"""


def to_markdown(blocks: list[Block], *, relative_to: Path) -> str:
    out = []
    for block in blocks:
        match block:
            case Heading(text, level):
                out.append(f"{'#' * level} {text}")
            case Paragraph(text, strong, warning):
                out.append(f"> **{text}**" if warning else f"**{text}**" if strong else text)
            case Table(header, rows):
                lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
                lines += ["| " + " | ".join(cell.replace("|", "/") for cell in row) + " |" for row in rows]
                out.append("\n".join(lines))
            case Figure(path, caption):
                out.append(f"![{caption}]({path.relative_to(relative_to).as_posix()})\n\n*{caption}*")
    return "\n\n".join(out) + "\n"


def to_html(blocks: list[Block], *, title: str) -> str:
    esc = html.escape
    out = [
        f"<!doctype html><html><head><meta charset='utf-8'><title>{esc(title)}</title><style>{CSS}</style></head><body>"
    ]
    for block in blocks:
        match block:
            case Heading(text, level):
                out.append(f"<h{level}>{esc(text)}</h{level}>")
            case Paragraph(text, strong, warning):
                cls = "warning" if warning else "strong" if strong else ""
                out.append(f"<p class='{cls}'>{esc(text)}</p>")
            case Table(header, rows):
                head = "".join(f"<th>{esc(h)}</th>" for h in header)
                body = "".join("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in row) + "</tr>" for row in rows)
                out.append(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
            case Figure(path, caption):
                data = base64.b64encode(path.read_bytes()).decode()
                out.append(
                    f"<figure><img alt='{esc(caption)}' src='data:image/png;base64,{data}'>"
                    f"<figcaption>{esc(caption)}</figcaption></figure>"
                )
    out.append("</body></html>")
    return "\n".join(out)
