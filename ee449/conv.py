"""`ee449.conv.my_conv2d`, where students and the README have always found it.

The implementation lives in `ee449.basics.conv`; this module only re-exports it.
"""

from __future__ import annotations

from ee449.basics.conv import my_conv2d, output_shape

__all__ = ["my_conv2d", "output_shape"]
