"""What the fork server imports before it forks printbrief's workers: WeasyPrint, started fast.

The fork server (:func:`printbrief.workers.context`) and the workers it forks are printbrief's
own processes, as the command's is, so WeasyPrint is imported there with the start-up steps of
:mod:`printbrief.startup` installed first (its library names, parsed C declarations and
user-agent stylesheet from the start-up cache, fontTools' variable-font modules deferred), and
every worker forked from it reads hyphenation dictionaries and compiled templates from the same
cache. The ``exit`` step does not apply: a worker ends when its pool stops it.
``PRINTBRIEF_PLAIN_START`` turns the steps off here too; the PDFs are the same either way
(tests/test_startup.py).
"""

from __future__ import annotations

from . import startup

startup.enable()
from . import renderer  # noqa: E402,F401  WeasyPrint, imported with the steps installed

startup.save()  # the C declarations parsed now, for the next fork server and command
