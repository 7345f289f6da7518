"""Publishing a release.

``store`` makes a release appear whole or not at all (staging, fsync, rename, ``latest``)
and ``lock`` keeps one build per output folder. What goes in: ``parquet`` (the tables, in
parts, and the index tables under their schemas; every reader of a release's tables reads
them through it), ``jsonl`` (the download; ``lines`` builds its JSON
lines), ``describe`` (release id and manifest), ``card`` (the dataset card), ``croissant``,
``report`` (the HTML report); ``markdown`` serves the card and the report. ``verify``
checks a published release.
"""
