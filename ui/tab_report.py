"""The Report tab: the summary, a chart of scores by category, downloads, and the report in full."""

from __future__ import annotations

import gradio as gr
import pandas as pd

from interviewer.engine.report import to_markdown
from . import render
from .service import Service, View


def empty_frame(columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame({c: [] for c in columns})


class ReportTab:
    """Built inside the page's gr.Tabs; `show(view)` is the update that fills it with a session's report."""

    def __init__(self, service: Service) -> None:
        self.service = service
        with gr.Tab("Report", id="report"):
            self.empty = gr.Markdown("No report yet. Finish an interview, or open one from **History**.")
            self.head = gr.HTML("", js_on_load=None, visible=False, elem_id="report-head")
            with gr.Row(visible=False) as self.row:
                self.plot = gr.BarPlot(empty_frame(["category", "score"]), x="category", y="score", y_lim=[0, 10],
                                       title="Score by category", y_title="score (0-10)", height=260, sort="x",
                                       buttons=[], scale=3, min_width=300)
                with gr.Column(scale=1, min_width=270):
                    gr.HTML("<strong>Transcript</strong><p class=iv-small>The report and the whole conversation."
                            "</p>", js_on_load=None)
                    self.dl_md = gr.DownloadButton("Download Markdown", elem_id="dl-md", size="md")
                    self.dl_json = gr.DownloadButton("Download JSON", elem_id="dl-json", size="md")
            self.details = gr.Markdown("", elem_id="report-details", latex_delimiters=[], sanitize_html=True)

    @property
    def outputs(self) -> list:
        return [self.empty, self.head, self.row, self.plot, self.dl_md, self.dl_json, self.details]

    def show(self, view: View) -> dict:
        """The tab filled with the view's report (final, or partial while the interview runs)."""
        rows = render.category_rows(view.report)
        md_path, json_path = self.service.export(view)
        details = to_markdown(render.safe_report(view.report))
        cut = details.find("\n## ")
        return {
            self.empty: gr.update(visible=False),
            self.head: gr.update(value=render.report_summary_html(view.report, view.row), visible=True),
            self.row: gr.update(visible=True),
            self.plot: gr.update(value=pd.DataFrame(rows) if rows else empty_frame(["category", "score"])),
            self.dl_md: gr.update(value=str(md_path)),
            self.dl_json: gr.update(value=str(json_path)),
            self.details: gr.update(value=details[cut + 1:] if cut >= 0 else details),
        }

    def refresh(self, view: View, head_now: str | None) -> dict:
        """The tab redrawn with the view's report if it shows that session's report (`head_now`: its summary as
        the page shows it) and the report changed since (a review landed); else nothing. Another session's
        report, opened from History meanwhile, is left alone."""
        head_now = head_now or ""
        if f"session {render.h(view.session_id)}<" not in head_now:
            return {}
        if render.report_summary_html(view.report, view.row) == head_now:
            return {}
        return self.show(view)
