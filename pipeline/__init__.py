"""speechcorpus pipeline: pure functions from scraped pages to dataset records.

Nothing in this package imports Prefect; ``flows/`` wires these functions into tasks.
"""

__version__ = "0.1.0"
