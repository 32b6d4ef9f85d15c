"""pyproject.toml and packs.toml -> Settings and Pack objects (or problems naming file and line)."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import os
import re
import tomllib
from collections.abc import Callable
from pathlib import Path

from . import checkcache, online, sources
from .characters import CONTROL_CHARACTERS
from .model import DEFAULT_SOURCE_LOCALE, PACK_SIDES, SLUG, Clinic, Pack, PinnedFile, Settings
from .variants import BY_NAME, PAPERS
from .problems import Problem, ProblemError

MAX_FIELD_LENGTH = 200
CLINIC_FIELDS = ("name", "address", "phone", "hours", "email", "website", "logo")
MAX_LOGO_BYTES = 512 * 1024
MAX_LOGO_PIXELS = 2000  # on either side
MAX_PACKS_BYTES = 4 * 1024 * 1024
#: The line that begins a pack in packs.toml, as TOML allows it written (spaces, a comment).
PACK_HEADER = re.compile(r"\s*\[\[\s*pack\s*\]\]\s*(#.*)?")


def find_project_root(start: Path) -> Path | None:
    """The nearest folder at or above start whose pyproject.toml has a [tool.leafpub] table."""
    for folder in (start, *start.parents):
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file() and "[tool.leafpub]" in pyproject.read_text(encoding="utf-8"):
            return folder
    return None


def read_toml(path: Path, display: str, data: bytes | None = None) -> dict:
    try:
        return tomllib.loads((path.read_bytes() if data is None else data).decode("utf-8"))
    except UnicodeDecodeError as error:
        raise ProblemError([Problem(display, None, f"not UTF-8 text ({error.reason})")]) from None
    except tomllib.TOMLDecodeError as error:
        # tomllib only puts the position in its message: "... (at line 3, column 7)".
        found = re.search(r"\(at line (\d+), column \d+\)", str(error))
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(error))
        raise ProblemError([Problem(display, int(found[1]) if found else None,
                                    f"invalid TOML: {message}")]) from None


def load_settings(root: Path) -> Settings:
    """Read the [tool.leafpub] table of the project's pyproject.toml."""
    root = root.resolve()
    table = read_toml(root / "pyproject.toml", "pyproject.toml").get("tool", {}).get("leafpub")
    if not isinstance(table, dict):
        raise ProblemError([Problem("pyproject.toml", None, "no [tool.leafpub] table")])
    problems = []
    paper = table.get("paper", "A4")
    if paper not in PAPERS:
        problems.append(Problem("pyproject.toml", None,
                                f"[tool.leafpub] paper must be one of {', '.join(PAPERS)}"))
    scripts = {script: tuple(families) for script, families in table.get("scripts", {}).items()}
    fonts = tuple(PinnedFile(Path(font["path"]), font["sha256"], font.get("package", ""))
                  for font in table.get("fonts", []))
    if not scripts or not fonts:
        problems.append(Problem("pyproject.toml", None,
                                "[tool.leafpub] needs [tool.leafpub.scripts] and [[tool.leafpub.fonts]]"))
    profile = table.get("print-profile")
    print_profile = (PinnedFile(Path(profile["path"]), profile["sha256"], profile.get("package", ""))
                     if isinstance(profile, dict) else None)
    alert = table.get("review-alert-months", 6)
    if not isinstance(alert, int) or isinstance(alert, bool) or not 0 <= alert <= 36:
        problems.append(Problem("pyproject.toml", None, "[tool.leafpub] review-alert-months must be a whole "
                                                        "number of months from 0 to 36"))
    site_url = table.get("site-url")
    reason = online.site_url_problem(site_url) if site_url is not None else (
        "is missing: the public address output/ is served from, printed on every leaflet")
    if reason:
        problems.append(Problem("pyproject.toml", None, f"[tool.leafpub] site-url {reason}"))
    if problems:
        raise ProblemError(problems)
    return Settings(root=root, source_locale=table.get("source-locale", DEFAULT_SOURCE_LOCALE), paper=paper,
                    scripts=scripts, fonts=fonts, print_profile=print_profile, review_alert_months=alert,
                    site_url=site_url)


@dataclasses.dataclass(frozen=True)
class LoadedPacks:
    """What packs.toml holds: the packs read, and the problems of those that could not be."""

    packs: tuple[Pack, ...]
    problems: tuple[Problem, ...]  #: a pack's, once it has an id, name it (Problem.pack): its last PDF is kept


def load_packs(settings: Settings) -> LoadedPacks:
    """Read packs.toml. A broken pack is a problem (naming the pack, so that its last good
    PDF is kept); the others are still returned."""
    path = settings.packs_file
    if not sources.exists(settings.root, path):
        return LoadedPacks((), ())
    display = settings.relative(path)
    raw = sources.read(settings.root, path, MAX_PACKS_BYTES)  # unreadable: like invalid TOML, stops the build
    text = raw.decode("utf-8", errors="replace")
    data = read_toml(path, display, raw)
    pack_lines = [number for number, line in enumerate(text.splitlines(), 1) if PACK_HEADER.fullmatch(line)]
    entries = data.get("pack", [])
    if not (isinstance(entries, list) and all(isinstance(entry, dict) for entry in entries)):
        line = next((number for number, line in enumerate(text.splitlines(), 1)
                     if re.match(r"\s*\[*\s*pack\b", line)), None)
        raise ProblemError([Problem(display, line, "each pack must be a [[pack]] table (see the README)")])
    packs, problems, seen = [], [], set()
    for index, entry in enumerate(entries):
        line = pack_lines[index] if index < len(pack_lines) else None
        pack, pack_problems = read_pack(settings, entry, PackSource(display, text, line), seen)
        problems.extend(pack_problems)
        if pack is not None:
            packs.append(pack)
    return LoadedPacks(tuple(packs), tuple(problems))


@dataclasses.dataclass(frozen=True)
class PackSource:
    """Where one [[pack]] table is written, for problems that name its lines."""

    display: str
    text: str
    line: int | None  #: the line of its [[pack]], when TOML and the text agree on it

    def key_line(self, key: str) -> int | None:
        return find_key_line(self.text, self.line, key)


def read_pack(settings: Settings, entry: dict, source: PackSource,
              seen: set[str]) -> tuple[Pack | None, list[Problem]]:
    """One [[pack]] table -> a Pack, or None and its problems; seen gathers the ids so far."""
    pack_problems = []

    def problem(key: str, message: str) -> None:
        pack_problems.append(Problem(source.display, source.key_line(key), message))

    pack_id = entry.get("id")
    if not isinstance(pack_id, str) or not SLUG.fullmatch(pack_id):
        problem("id", "pack id must be lower-case letters, digits and hyphens, "
                      f"at most 64 characters (got {pack_id!r})")
        return None, pack_problems
    if pack_id in seen:
        problem("id", f"pack id {pack_id!r} is used twice")
    seen.add(pack_id)
    paper, variant = pack_format(settings, entry, pack_id, problem)
    sides = entry.get("sides", "two")
    if not isinstance(sides, str) or sides not in PACK_SIDES:
        problem("sides", f"pack {pack_id!r}: sides must be \"two\" (printed double-sided, each leaflet "
                         f"starting on a front page) or \"one\" (got {str(sides)[:20]!r})")
    lists = pack_lists(entry, pack_id, problem)
    fields = clinic_fields(settings, entry.get("clinic", {}), pack_id, problem)
    title = entry.get("title", "Patient information leaflets")
    if not isinstance(title, str) or len(title) > MAX_FIELD_LENGTH or CONTROL_CHARACTERS.search(title):
        problem("title", f"pack {pack_id!r}: title must be one line of text")
    if pack_problems:
        return None, [dataclasses.replace(p, leaflet=None, locale=None, pack=pack_id) for p in pack_problems]
    line = source.line
    return Pack(id=pack_id, title=title, clinic=Clinic(**fields),
                leaflets=lists["leaflets"], locales=lists["locales"], paper=paper,
                line=line or 1, variant=variant, sides=PACK_SIDES[sides],
                key_lines={key: source.key_line(key) or line or 1
                           for key in ("leaflets", "locales")}), []


def pack_format(settings: Settings, entry: dict, pack_id: str, problem: Callable[[str, str], None]):
    """A pack's paper and variant, each checked against what a pack may be printed as."""
    paper = entry.get("paper", settings.paper)
    if paper not in PAPERS:
        problem("paper", f"pack {pack_id!r}: paper must be one of {', '.join(PAPERS)}")
    variant = entry.get("variant", "standard")
    pack_variants = [name for name, kind in BY_NAME.items() if kind.in_packs]
    if variant not in pack_variants:
        problem("variant", f"pack {pack_id!r}: variant must be one of {', '.join(pack_variants)}")
    return paper, variant


def pack_lists(entry: dict, pack_id: str, problem: Callable[[str, str], None]) -> dict[str, tuple[str, ...]]:
    """A pack's leaflets and locales: each a non-empty list of names (empty when it is not)."""
    lists = {}
    for key in ("leaflets", "locales"):
        value = entry.get(key)
        if not (isinstance(value, list) and value and all(isinstance(v, str) for v in value)):
            problem(key, f"pack {pack_id!r}: {key} must be a non-empty list of names")
            value = []
        twice = [name for name in dict.fromkeys(value) if value.count(name) > 1]
        if twice:
            problem(key, f"pack {pack_id!r}: {key} lists {', '.join(map(repr, twice))} more than once")
        lists[key] = tuple(value)
    return lists


def clinic_fields(settings: Settings, clinic_table: dict, pack_id: str,
                  problem: Callable[[str, str], None]) -> dict:
    """The [pack.clinic] table -> the fields of a Clinic, each checked (the address is a list of lines)."""
    if not isinstance(clinic_table, dict):
        problem("clinic", f"pack {pack_id!r}: the clinic must be a [pack.clinic] table of its details "
                          "(name, address, phone, hours, email, website, logo)")
        return {}
    fields = {}
    for key in CLINIC_FIELDS:
        value = clinic_table.get(key, [] if key == "address" else "")
        values = value if key == "address" and isinstance(value, list) else [value]
        for item in values:
            reason = clinic_text_problem(item)
            if reason:
                problem(key, f"pack {pack_id!r}: clinic {key} {reason}")
        fields[key] = tuple(values) if key == "address" else value
    if not fields["name"]:
        problem("clinic", f"pack {pack_id!r}: the clinic needs a name")
    if fields["logo"] and isinstance(fields["logo"], str):
        reason = check_logo(settings, fields["logo"])
        if reason:
            problem("logo", f"pack {pack_id!r}: clinic logo {fields['logo']!r} {reason}")
    return fields


def clinic_text_problem(item) -> str | None:
    """Why one clinic detail (or address line) cannot be printed, or None."""
    if not isinstance(item, str):
        return "must be text"
    if len(item) > MAX_FIELD_LENGTH:
        return f"is longer than {MAX_FIELD_LENGTH} characters"
    if CONTROL_CHARACTERS.search(item):
        return "contains a control character"
    return None


def check_logo(settings: Settings, logo: str) -> str | None:
    """Why a clinic's logo cannot be used, or None. Only small PNG or JPEG images inside
    templates/assets/ are accepted: never a path outside it, a link, a device, a pipe or a
    huge image."""
    assets = settings.templates_dir / "assets"
    path = Path(os.path.normpath(assets / logo))
    if not path.is_relative_to(assets):
        return "is outside templates/assets/"
    try:
        data = sources.read(settings.root, path, MAX_LOGO_BYTES)
    except ProblemError as error:
        reason = error.problems[0].message
        return "does not exist in templates/assets/" if reason == "does not exist" else reason
    if not (data.startswith(b"\x89PNG\r\n\x1a\n") or data.startswith(b"\xff\xd8\xff")):
        return "is not a PNG or JPEG image"
    # Found fit before with the same bytes: no need to load Pillow again.
    subject, key = "logo." + hashlib.sha256(logo.encode("utf-8")).hexdigest()[:16], checkcache.check_key(data)
    if checkcache.recall(settings, subject, key) == "fit":
        return None
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:  # reads the header only
            width, height = image.size
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        return "cannot be read as an image"
    if max(width, height) > MAX_LOGO_PIXELS:
        return f"is {width}x{height} pixels; at most {MAX_LOGO_PIXELS} on either side"
    checkcache.remember(settings, subject, key, "fit")
    return None


def find_key_line(text: str, start: int | None, key: str) -> int | None:
    """The line of `key = ...` in the table that begins at line start (TOML gives no positions)."""
    if start is None:
        return None
    lines = text.splitlines()
    for number in range(start, len(lines)):
        stripped = lines[number].strip()
        if PACK_HEADER.fullmatch(stripped):
            break
        if re.match(rf"({re.escape(key)}\s*=|\[{{1,2}}\s*pack\s*\.\s*{re.escape(key)}\s*\]{{1,2}}\s*(#.*)?$)", stripped):
            return number + 1
    return start
