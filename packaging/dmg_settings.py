# dmgbuild settings: the app and a link to /Applications, nothing else.
import os

application = defines.get("app", "dist/Hearth.app")  # noqa: F821 - provided by dmgbuild
files = [application]
symlinks = {"Applications": "/Applications"}
icon_locations = {os.path.basename(application): (140, 120), "Applications": (420, 120)}
window_rect = ((200, 200), (560, 300))
format = "UDZO"
