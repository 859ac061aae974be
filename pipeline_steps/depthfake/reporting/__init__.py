"""What a reader sees: tables, figures, Grad-CAM, documents and pages with their shared style,
the browser check of the report and of standalone pages."""
