"""The web UI (Gradio), shipped as `interviewer.ui`: `app.create_app()` builds it, `app.launch()` serves it
(`interviewer ui`). Only this package imports gradio; `render` and `service` are plain Python."""
