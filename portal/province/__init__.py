"""The provincial portal (INSTANCE = "province", on PostgreSQL): no person data, only the stations' signed
monthly packages rolled up.

views.py        the tables (a unit and each unit under it, 同比) and completeness pages
annual.py       the annual report PDF of a unit (the seed's lines, every indicator with 同比)
org.py          the org tree and the stations' registered keys (the admin)
inbox.py        uploading packages (the admin)
forms.py        the forms of those pages
receiving.py    verifying, storing and superseding a package (the web and the command)
importing.py    many files at once, in this process or N worker processes (import-packages --workers)
rollup.py       which tuples a month, quarter or year takes, summed over stations; rates from sums
suppression.py  the publication profile (对外发布): "<5" and complementary suppression over the tree
trends.py       each indicator month by month as server-drawn SVG
completeness.py which stations reported which months; late after the 5th of the next month
cluster.py      a throw-away PostgreSQL cluster (the tests and scripts/bench_province.py)
synthetic.py    made-up stations' signed packages in the real format (the tests and the bench)
gb2260.py       the org tree from data/guizhou_gb2260.csv
commands.py     province-init, create-admin, import-packages, province-demo
demo.py         the demo: 25 generated stations, 24 months of packages each, imported (make province)
seed_station.py the demo's 云岩区 station, whose 2021→2022 figures are the seed article's
migrations/     the province's own numbered migrations
"""
from . import annual, inbox, org, views  # noqa: E402, F401 (the docstring above is the package's map)

BLUEPRINTS = (views.bp, org.bp, inbox.bp)  # annual.py adds its route to views.bp
