"""Text from outside the project -> the characters it may not hold: those that hide, reorder or
control what a reader sees."""

from __future__ import annotations

import re

#: Invisible controls that reorder the text around them: bidi embeddings, overrides, isolates.
BIDI_CONTROLS = "\u202a-\u202e\u2066-\u2069"
#: What shows nothing: soft hyphen, zero-width space, joiners, BOM, annotation marks, non-characters.
INVISIBLE = "\u00ad\u200b\u2060-\u2064\ufeff\ufff9-\ufffb\ufffe\uffff"
#: What never belongs in a text from outside (a leaflet, a translation): C0 controls but tab
#: and line ends, DEL and C1 controls, bidi controls, byte-order marks and interlinear
#: annotation marks. Each would change what a reader sees without showing itself ("12"
#: displayed as "21"). Left-to-right and right-to-left marks and joiners are fine.
HIDDEN_CHARACTERS = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{BIDI_CONTROLS}\ufeff\ufff9-\ufffb]")
#: The same for one line of a clinic's details, where line ends and separators are hidden too.
CONTROL_CHARACTERS = re.compile(f"[\x00-\x1f\x7f-\x9f\u2028\u2029{BIDI_CONTROLS}\ufeff]")
