"""Where the research datasets are: ``--data``, else the ``data_dir`` setting (``VERACITY_DATA``), else ``../shared/data``."""

from __future__ import annotations

from pathlib import Path

from veracity.config import load_settings
from veracity.errors import ConfigurationError

__all__ = ["data_dir"]


def data_dir(explicit: str | None = None, required: str | None = None) -> Path:
    """The shared data folder, checked to contain ``required`` (a sub-folder name) when given."""
    if explicit is not None:
        path = Path(explicit)
        if not path.is_dir() or (required is not None and not (path / required).exists()):
            what = f"{path / required}" if required else str(path)
            raise ConfigurationError(f"--data: {what} does not exist; give the shared data folder (…/shared/data)")
        return path
    candidates = [load_settings().data_dir]
    here = Path.cwd()
    candidates += [str(p / "shared" / "data") for p in [here, *here.parents][:4]]
    candidates += [str(Path(__file__).resolve().parents[i] / "shared" / "data") for i in range(3, 6)]
    for c in candidates:
        if c and Path(c).is_dir() and (required is None or (Path(c) / required).exists()):
            return Path(c)
    what = f"the dataset folder {required!r}" if required else "the shared data folder"
    raise ConfigurationError(f"cannot find {what}; pass --data PATH/TO/shared/data or set VERACITY_DATA")
