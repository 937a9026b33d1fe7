"""The web UI (Gradio), shipped as `interviewer.ui`: `app.create_app()` builds it, `app.launch()` serves it
(`interviewer ui`). Only this package imports gradio; `render` and `service` are plain Python.

Its modules name the rest of the product absolutely (`from interviewer.engine import ...`) and each other
relatively (`from . import render`), so they read the same from a checkout (`ui/`) and from the wheel
(`interviewer.ui`)."""
