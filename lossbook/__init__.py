"""lossbook: the library of the lossbook course on loss functions in machine learning.

Modules: `losses` (the catalog, chapter 02), `penalties` (L1, L2, elastic net),
`gradcheck` (numerical gradient checks).
"""

__version__ = "0.1.0"
