"""The bundle's requirements come from ee449's METADATA: markers are evaluated, not dropped or pinned blind."""

from __future__ import annotations

import sys

from ee449.grading.output import wheel

META = """Metadata-Version: 2.4
Name: ee449
Requires-Dist: numpy>=1.24
Requires-Dist: tomli>=1.1; python_version < "3.11"
Requires-Dist: tomli-w; python_version >= "3.11"
Requires-Dist: hypothesis>=6.80; extra == "test"
"""


def test_a_requirement_whose_marker_holds_here_is_pinned_and_the_other_travels_as_written():
    here_new = sys.version_info >= (3, 11)
    assert wheel.requirements(META) == ["numpy", "tomli-w" if here_new else "tomli"]
    elsewhere = wheel.requirements_elsewhere(META)
    assert elsewhere == (
        ['tomli>=1.1; python_version < "3.11"'] if here_new else ['tomli-w; python_version >= "3.11"']
    )


def test_extras_are_never_requirements_of_the_grader():
    assert "hypothesis" not in wheel.requirements(META) + " ".join(wheel.requirements_elsewhere(META)).split()
