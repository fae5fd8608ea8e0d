"""The embeddable widget: loader script, /embed pages, and identity from the company's signed token."""
