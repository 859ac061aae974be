"""What a reader sees: tables, figures, Grad-CAM, documents and pages, the browser check."""
