"""The Rebalance site's Python, installed by the Makefile (`pip install -e`).

    rebalance/plugins/   Pelican plugins, each standing alone (none imports another); PLUGINS in
                         pelicanconf.py names them as rebalance.plugins.<name>
    rebalance/build.py   one build into a staging folder, put in place only if it succeeded
    rebalance/browser.py Chromium and the quality tools the browser tests drive
    rebalance/corpus.py  a varied generated corpus, for bench/ and the scale tests
    rebalance/measure.py what bench/ scripts share: building ours and plain Pelican, timing

tasks.py, tests/ and bench/ import from here, never from each other.
"""
