"""Publishing a release.

``store`` makes a release appear whole or not at all (staging, fsync, rename, ``latest``)
and ``lock`` keeps one build per output folder; what goes in: ``parquet`` (the tables and
index tables under their schemas), ``jsonl`` (the download), ``describe`` (release id and
manifest), ``card`` (the dataset card), ``croissant``, ``report`` (the HTML report);
``markdown`` serves the card and the report; ``verify`` checks a published release.
"""
