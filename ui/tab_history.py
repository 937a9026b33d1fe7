"""The History tab: this browser's past sessions (with live answered counts), scores over time per
category, and a session picker that opens a report or resumes an interview."""

from __future__ import annotations

from collections.abc import Iterator

import gradio as gr
import pandas as pd

from . import render
from .page import PRIVATE, SESSIONS_QUEUE, Page, fail, owned_of
from .tab_interview import InterviewTab
from .tab_report import ReportTab, empty_frame

DATE_AXIS = "%b %d %H:%M"  # d3 time format for the history charts' date axis
PLOT_COLUMNS = ["date", "score", "category"]


def score_points(points: list[dict]) -> pd.DataFrame:
    """The store's per-session category means as chart rows (dates without a time zone, for the axis)."""
    return pd.DataFrame([{"date": pd.Timestamp(when).tz_convert(None), "score": p["score"], "category": p["category"]}
                         for p in points if (when := render.parse_time(p["started_at"])) is not None])


class HistoryTab:
    """Built inside the page's gr.Tabs; `wire()` connects it to the interview and report tabs."""

    def __init__(self, page: Page) -> None:
        self.page, self.service = page, page.service
        with gr.Tab("History", id="history") as self.tab:
            self.plot = gr.LinePlot(empty_frame(PLOT_COLUMNS), x="date", y="score", color="category", y_lim=[0, 10],
                                    title="Score over time per category", height=260, buttons=[],
                                    elem_id="history-plot", x_axis_format=DATE_AXIS)
            # With one session per category a line has nothing to join: show the points instead.
            self.points = gr.ScatterPlot(empty_frame(PLOT_COLUMNS), x="date", y="score", color="category",
                                         y_lim=[0, 10], title="Score per session and category", height=260,
                                         buttons=[], visible=False, elem_id="history-points",
                                         x_axis_format=DATE_AXIS)
            self.table = gr.HTML(render.history_table_html([]), js_on_load=None, elem_id="history-table")
            with gr.Row():
                self.pick = gr.Dropdown([], label="Session", scale=3, min_width=260, elem_id="history-pick")
                self.open_btn = gr.Button("Open report", min_width=120)
                self.resume_btn = gr.Button("Resume", min_width=120, variant="primary")
                self.refresh_btn = gr.Button("Refresh", min_width=120)
            self.note = gr.HTML("", js_on_load=None)

    def wire(self, interview: InterviewTab, report: ReportTab) -> None:
        self.interview, self.report = interview, report
        page, outputs = self.page, [self.table, self.plot, self.points, self.pick, self.note]
        self.tab.select(self.on_show, page.bstate, outputs, **PRIVATE)
        self.refresh_btn.click(self.on_show, page.bstate, outputs, **PRIVATE)
        self.open_btn.click(self.on_open, [self.pick, page.bstate], [page.tabs, self.note, *report.outputs],
                            **PRIVATE)
        self.resume_btn.click(self.on_resume, [self.pick, page.bstate, interview.api_key, interview.key_again],
                              [*interview.outputs, self.note], **SESSIONS_QUEUE, **PRIVATE)

    def on_show(self, b: dict | None) -> dict:
        rows, points = self.service.history(owned_of(b))
        plot = score_points(points)
        lines = bool(len(plot)) and bool((plot.groupby("category")["date"].nunique() > 1).any())
        empty = empty_frame(PLOT_COLUMNS)
        return {self.table: render.history_table_html(rows),
                self.plot: gr.update(value=plot if lines else empty, visible=lines or not len(plot)),
                self.points: gr.update(value=plot if len(plot) and not lines else empty,
                                       visible=bool(len(plot)) and not lines),
                self.pick: gr.update(choices=[(render.session_label(r), r["id"]) for r in rows],
                                     value=rows[0]["id"] if rows else None),
                self.note: ""}

    def on_open(self, sid: str | None, b: dict | None) -> dict:
        if not sid:
            return {self.note: render.status_html("error", "Pick a session first.")}
        try:
            view = self.service.look(sid, owned_of(b).get(sid))
        except Exception as e:  # noqa: BLE001
            return {self.note: render.status_html("error", fail(e, None, "Opening the report"))}
        return self.report.show(view) | {self.page.tabs: gr.Tabs(selected="report"), self.note: ""}

    def on_resume(self, sid: str | None, b: dict | None, k1: str, k2: str) -> Iterator[dict]:
        if not sid:
            yield {self.note: render.status_html("error", "Pick a session first.")}
            return
        state = self.interview.state_for(b, sid, owned_of(b).get(sid))
        for out in self.interview.restore(state, k1, k2, go=True):
            yield out | {self.note: ""}
