"""privacy-lint: find personal data flowing into logs, third parties and tracking without consent."""

__version__ = "0.1.0"
