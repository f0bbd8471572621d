"""The staff web app (Gradio). Sits above the assistant package; assistant never imports ui."""
