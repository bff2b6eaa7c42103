"""The terminal app (Textual): screens, widgets, the action table, the app itself."""

import os

# A typed key's result is painted at Textual's next screen update, and updates are paced at
# TEXTUAL_FPS (60 by default): up to 17 ms of waiting on every key. 120 halves that; it only
# matters when something changed, so an idle app costs nothing more. Set before Textual is
# imported (it reads the variable once); a user's own setting wins.
os.environ.setdefault("TEXTUAL_FPS", "120")
