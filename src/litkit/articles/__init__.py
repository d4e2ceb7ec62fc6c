"""Any health article: reading it, finding what it cites, drafting its claims, new projects.

``identifiers`` finds cited works' identifiers in links and text; ``extract`` turns HTML,
Markdown or plain text into a :class:`~litkit.articles.extract.Document`; ``references``
parses reference lists; ``drafts`` drafts citation and claim rows for review; ``project``
scaffolds a project folder and reads its ``litkit.toml``.
"""
