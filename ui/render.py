"""Pure functions that turn engine data into what the browser shows: chat messages, the interview header,
the score card, the report. No Gradio here, so they are cheap to test.

Safety rule: the candidate's text is shown as *literal text*. It is HTML-escaped and Markdown-escaped
before it reaches any component that renders Markdown or HTML (the chatbot, the report), so an answer
holding `<script>` or `<img onerror=...>` appears as those characters and never as markup. The
interviewer's text (bank questions, templates) keeps its Markdown but has any raw HTML escaped too.
"""

from __future__ import annotations

import copy
import html
from collections.abc import Iterable
from datetime import datetime, timezone
from typing import get_args

from interviewer.engine.report import ScoreCard
from interviewer.text import WHITESPACE, drop_surrogates, rx
from interviewer.engine.state import Level, Message
from interviewer.vocabulary import QuestionStatus, SessionStatus, format_score

#: ASCII punctuation that Markdown (CommonMark, GFM, and the chatbot's LaTeX) may treat as syntax.
_MD_PUNCT = set("\\`*_{}[]()#+-.!|~:$@=^")
_ENTITIES = {"<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;"}
# RE2 patterns: linear time on any text (see interviewer/text.py).
_CODE = rx(r"(```.*?```|`[^`\n]*`)", "s")
_WORD_AND_SPACE = rx(rf"[^{WHITESPACE[1:-1]}]+{WHITESPACE}*")

LEVELS = list(get_args(Level))


# -- escaping --------------------------------------------------------------------------------------
def literal_markdown(text: str) -> str:
    """Markdown that renders as exactly `text`: every HTML character becomes an entity, every Markdown
    punctuation character is backslash-escaped, leading spaces are kept as non-breaking spaces (so
    indentation survives and never turns into a code block). Newlines stay newlines."""
    out = []
    for line in str(text).replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = line.replace("\t", "    ")
        body = line.lstrip(" ")
        indent = "&nbsp;" * (len(line) - len(body))
        chars = []
        for ch in body:
            if ch in _ENTITIES:
                chars.append(_ENTITIES[ch])
            elif ch in _MD_PUNCT:
                chars.append("\\" + ch)
            else:
                chars.append(ch)
        out.append(indent + "".join(chars))
    return "\n".join(out)


def hard_breaks(markdown: str) -> str:
    """End each line that another line follows with a Markdown hard break, so single newlines show (for
    renderers that join lines, as gr.Markdown does)."""
    lines = markdown.split("\n")
    return "\n".join(line + "\\" if i + 1 < len(lines) and line.strip() and lines[i + 1].strip() else line
                     for i, line in enumerate(lines))


def escape_markup(text: str) -> str:
    """Keep Markdown, but show any raw HTML as text (code spans and fences are left alone: Markdown shows
    their content literally already)."""
    parts = _CODE.split(drop_surrogates(str(text)))
    return "".join(p if i % 2 else html.escape(p, quote=False) for i, p in enumerate(parts))


def h(value: object) -> str:
    """HTML-escape a value for our own HTML snippets."""
    return html.escape("" if value is None else str(value), quote=True)


# -- chat ---------------------------------------------------------------------------------------------
REPORT_POINTER = "Your report is ready in the **Report** tab."


def chat_message(message: Message) -> dict:
    """One engine message as a Gradio chatbot message (role user/assistant, content as safe Markdown)."""
    if message.get("role") == "candidate":
        return {"role": "user", "content": literal_markdown(message.get("text", ""))}
    if message.get("kind") == "report":
        return {"role": "assistant", "content": REPORT_POINTER}
    return {"role": "assistant", "content": escape_markup(message.get("text", ""))}


def chat_messages(messages: Iterable[Message]) -> list[dict]:
    return [chat_message(m) for m in messages]


def pending_message(text: str = "Grading your answer against the rubric…") -> dict:
    """The placeholder the chat shows while the engine works (a spinner in the chatbot)."""
    return {"role": "assistant", "content": "", "metadata": {"title": text, "status": "pending"}}


def words(text: str) -> list[str]:
    """The prefixes a message is streamed in, a few words at a time (whitespace kept intact)."""
    tokens = _WORD_AND_SPACE.findall(drop_surrogates(text))
    if not tokens:
        return [text]
    step = 3
    out = []
    for i in range(step, len(tokens) + step, step):
        out.append("".join(tokens[:i]))
    if out[-1] != text:
        out.append(text)
    return out


# -- header, status and score card ---------------------------------------------------------------------
def parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        stamp = datetime.fromisoformat(value)
    except ValueError:
        return None
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=timezone.utc)


def header_html(position: int, total: int, category: str | None, started_at: str | None, *, done: bool = False,
                finished_at: str | None = None, session_id: str = "", model: str | None = None) -> str:
    """'Question k of n', the category, and an elapsed-time clock the page's script keeps ticking (stopped
    at the total time once the interview is over)."""
    started = parse_time(started_at)
    elapsed = ""
    if started is not None:
        end = (parse_time(finished_at) if done else None) or datetime.now(timezone.utc)
        seconds = max(0, int((end - started).total_seconds()))
        elapsed = (f'<span class="iv-clock">{"Took" if done else "Elapsed"} <span class="iv-elapsed" '
                   f'data-started="{h(started.isoformat())}"{" data-stopped=1" if done else ""}>'
                   f'{_clock(seconds)}</span></span>')
    where = "Interview finished" if done else (f"Question {position} of {total}" if position else "Starting…")
    cat = f'<span class="iv-cat">{h(category)}</span>' if category and not done else ""
    meta = f'<span class="iv-meta">session {h(session_id)}{" · " + h(model) if model else ""}</span>'
    return (f'<div class="iv-header"><span class="iv-progress">{h(where)}</span>{cat}{elapsed}'
            f'{meta}</div>')


def _clock(seconds: int) -> str:
    minutes = seconds // 60
    lead = f"{minutes // 60}:{minutes % 60:02d}" if minutes >= 60 else f"{minutes:02d}"
    return f"{lead}:{seconds % 60:02d}"


def status_html(kind: str, text: str) -> str:
    """A one-line status under the chat: 'idle' (a hint), 'busy' (with a spinner), 'error'."""
    spinner = '<span class="iv-spinner" aria-hidden="true"></span>' if kind == "busy" else ""
    live = ' aria-live="polite"' if kind != "idle" else ""
    return f'<div class="iv-status iv-{h(kind)}"{live}>{spinner}{h(text)}</div>'


IDLE_HINT = "Enter adds a new line. Submit with Ctrl+Enter (or Shift+Enter), or the Submit button."


def _score_class(score: float | None) -> str:
    if score is None:
        return "none"
    return "good" if score >= 7 else "mid" if score >= 4 else "low"


def _points(title: str, cls: str, points: list[str]) -> str:
    if not points:
        return ""
    items = "".join(f"<li>{h(p)}</li>" for p in points)
    return f'<div class="iv-crit iv-{cls}"><div class="iv-crit-title">{h(title)} ({len(points)})</div><ul>{items}</ul></div>'


PROVISIONAL_NOTE = ("This is the live grade. A closer review (facts checked against the reference, ideas credited "
                    "in your words) runs in the background while you answer the next question, and replaces it in "
                    "the report.")
PENDING_NOTE = ("The answer is saved. It is graded as soon as the grading model answers again: on your next answer, "
                "or when the interview is resumed.")


def card_html(card: ScoreCard) -> str:
    """The score card shown beside the chat, drawn from the engine's ScoreCard as it is: the rubric points
    appear once the question is settled; while a follow-up is to come only how many were made."""
    status: str = card.status
    note: str | None = None
    if card.status == QuestionStatus.PENDING:
        status, note = "not graded yet", PENDING_NOTE
    elif not card.settled:
        hit, partial, missed = card.counts
        status = "follow-up next"
        note = (f"{hit} of {hit + partial + missed} points made so far{f', {partial} partly' if partial else ''}. "
                "The points are shown once this question is finished.")
    elif card.provisional:
        status = f"{status} · provisional"
        note = PROVISIONAL_NOTE
    details = []
    for e in card.errors:
        details.append(f"<p><strong>Wrong:</strong> you said “{h(e['quote'])}”; the reference: "
                       f"“{h(e['correction'])}”</p>")
    if card.feedback:
        details.append(f"<p><strong>Study next:</strong> {h(card.feedback)}</p>")
    if card.flags:
        details.append(f"<p><strong>Flags:</strong> {h(', '.join(card.flags))}</p>")
    if note:
        details.append(f"<p>{h(note)}</p>")
    if not details:
        details.append("<p>No extra feedback for this answer.</p>")
    title = f"Question {card.position}" if card.position else "Last answer"
    return (
        f'<section class="iv-card" aria-label="score card">'
        f'<div class="iv-card-head"><span class="iv-card-title">{h(title)}</span>'
        f'{f"<span class=iv-cat>{h(card.category)}</span>" if card.category else ""}</div>'
        f'{f"<p class=iv-card-q>{h(card.question)}</p>" if card.question else ""}'
        f'<div class="iv-score iv-{_score_class(card.score)}"><span class="iv-score-num">{h(format_score(card.score))}'
        f'</span><span class="iv-score-of">/10</span></div>'
        f'<div class="iv-card-status">{h(status.replace("_", " "))}</div>'
        f'{_points("Hit", "hit", card.hit)}{_points("Partly", "partial", card.partial)}'
        f'{_points("Stated wrongly", "wrong", card.wrong)}{_points("Missed", "missed", card.missed)}'
        f'<details class="iv-feedback"><summary>Feedback</summary>{"".join(details)}</details>'
        f"</section>"
    )


def card_or_waiting(card: ScoreCard | None) -> str:
    """The card of the latest answered question, or the placeholder before the first answer."""
    return card_html(card) if card is not None else card_waiting_html()


def card_waiting_html(text: str = "Your score card appears here after each answer.") -> str:
    return f'<section class="iv-card iv-card-empty" aria-label="score card"><p>{h(text)}</p></section>'


def card_busy_html() -> str:
    return ('<section class="iv-card iv-card-empty" aria-label="score card" aria-busy="true">'
            '<p><span class="iv-spinner" aria-hidden="true"></span>Grading your answer…</p>'
            "<p class=iv-small>The model checks it point by point against the rubric; this can take a minute "
            "on a CPU.</p></section>")


# -- report ---------------------------------------------------------------------------------------------
def safe_report(report: dict) -> dict:
    """A copy of the report whose candidate-written parts (answers, evidence) are literal Markdown."""
    out = copy.deepcopy(report)
    for q in out.get("questions", []):
        for a in q.get("answers", []):
            a["text"] = hard_breaks(literal_markdown(a.get("text", "")))
            a["prompt"] = escape_markup(a.get("prompt", ""))
        for c in q.get("criteria", []):
            if c.get("evidence"):
                c["evidence"] = literal_markdown(c["evidence"])
        for e in q.get("errors", []):
            e["quote"] = literal_markdown(e.get("quote", ""))
        q["right"] = [literal_markdown(r) for r in q.get("right", [])]
    return out


def report_summary_html(report: dict, row: dict | None = None) -> str:
    overall = report.get("overall")
    when = ""
    if row and row.get("started_at"):
        started = parse_time(row["started_at"])
        when = started.strftime("%Y-%m-%d %H:%M UTC") if started else ""
    bits = [f"{report.get('answered', 0)} of {report.get('total', 0)} answered"]
    if report.get("level"):
        bits.append(f"{report['level']} level")
    if report.get("ended_early"):
        bits.append("ended early")
    if report.get("pending"):
        bits.append(f"{report['pending']} not graded yet")
    if report.get("provisional"):
        bits.append(f"{report['provisional']} under review (provisional)")
    if row and row.get("status") == SessionStatus.ACTIVE:
        bits.append("in progress (partial report)")
    if when:
        bits.append(when)
    cats = "".join(
        f'<li><span>{h(c["category"])}</span><strong class="iv-{_score_class(c["score"])}">'
        f'{h(format_score(c["score"]))}</strong></li>' for c in report.get("categories", [])
    )
    return (
        f'<section class="iv-report-head" aria-label="report summary">'
        f'<div class="iv-score iv-big iv-{_score_class(overall)}">'
        f'<span class="iv-score-num">{h(format_score(overall))}</span>'
        f'<span class="iv-score-of">/10 overall</span></div>'
        f'<div class="iv-report-meta"><div>{h(" · ".join(bits))}</div>'
        f'<div class="iv-small">session {h(report.get("session_id") or "")}</div>'
        f'{f"<ul class=iv-cats>{cats}</ul>" if cats else ""}</div></section>'
    )


def category_rows(report: dict) -> list[dict]:
    return [{"category": c["category"], "score": c["score"] if c["score"] is not None else 0.0,
             "questions": c["questions"]} for c in report.get("categories", [])]


def transcript_markdown(report_md: str, messages: Iterable[dict]) -> str:
    """The downloadable Markdown: the report, then the conversation in order (raw text, it is a file)."""
    lines = [report_md.rstrip(), "", "## Transcript", ""]
    for m in messages:
        if m.get("kind") == "report":
            continue
        who = "You" if m.get("role") == "candidate" else "Interviewer"
        lines.append(f"**{who}:**")
        lines.append("")
        lines.extend("> " + line if line.strip() else ">" for line in str(m.get("text", "")).splitlines() or [""])
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def history_table_html(rows: list[dict]) -> str:
    """Past sessions as a plain table (scrolls sideways on a phone instead of widening the page)."""
    if not rows:
        return '<p class="iv-small">No interviews yet: your past sessions will be listed here.</p>'
    head = "".join(f'<th scope="col">{h(c)}</th>' for c in
                   ("Date (UTC)", "Status", "Score", "Answered", "Categories", "Level", "Model", "Session"))
    body = []
    for r in rows:
        started = parse_time(r.get("started_at"))
        cells = [
            started.strftime("%Y-%m-%d %H:%M") if started else "", r.get("status") or "",
            format_score(r.get("score")),
            f"{r.get('answered') or 0}/{r.get('n_questions') or '?'}", r.get("categories") or "all",
            r.get("level") or "", r.get("model") or "model-free", r.get("id") or "",
        ]
        tds = "".join(f'<td{" class=iv-num" if i in (2, 3) else ""}>{h(c)}</td>' for i, c in enumerate(cells))
        body.append(f"<tr>{tds}</tr>")
    return (f'<div class="iv-table-wrap" tabindex="0" role="region" aria-label="past sessions">'
            f'<table class="iv-table"><caption>Past sessions, newest first</caption><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table></div>')


def session_label(row: dict) -> str:
    started = parse_time(row.get("started_at"))
    when = started.strftime("%Y-%m-%d %H:%M") if started else "?"
    score = "" if row.get("score") is None else f" · {format_score(row['score'])}/10"
    return f"{when} · {row.get('categories') or 'all'} · {row.get('status')}{score} · {row['id']}"
