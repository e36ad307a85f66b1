"""The built-in report formats: terminal text (rich), JSON, self-contained HTML and Markdown.

Each formats the one ``ReportView``; none reads layers itself. Registered under ``veracity.renderers``.
"""
