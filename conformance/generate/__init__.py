"""Generate spec packs from the installed reference SDK (``tinker``)."""

from conformance.generate._build import (
    CURATION_FILE,
    generate_pack,
    installed_sdk_version,
    render_pack,
)

__all__ = ["CURATION_FILE", "generate_pack", "installed_sdk_version", "render_pack"]
