"""Loading and validating knowledge articles (Markdown files with YAML front matter).

Every `*.md` file under the knowledge folder is one article, except `README.md`
and files whose name starts with "_". The file stem is the slug and must be
unique across all folders; the folder directly below the knowledge folder is the
article's area. A broken article is skipped with a logged warning and reported
as an `ArticleProblem`; loading never raises because of one bad file.
"""
from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

import yaml

log = logging.getLogger(__name__)

# libyaml's C loader when available (10x faster: reloads stay well under a second).
_YamlLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

#: Audience value meaning "everyone".
AUDIENCE_ALL = "alle"

REQUIRED_FIELDS: Tuple[str, ...] = (
    "title",
    "audience.professions",
    "audience.workplaces",
    "tags",
    "source.file",
    "source.heading",
    "owner",
    "last_reviewed",
)

_FRONT_MATTER = re.compile(r"\A\ufeff?---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)(.*)\Z", re.S)
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MD_EMPHASIS = re.compile(r"(\*\*|__|\*|_|`)(?=\S)(.+?)(?<=\S)\1")


@dataclass(frozen=True)
class Article:
    slug: str
    title: str
    lead: str  # first paragraph as plain text: the answer shown in the chat
    body: str  # the whole Markdown body (lead included), for the article page
    tags: Tuple[str, ...]
    professions: Tuple[str, ...]  # canonical keys or ("alle",)
    workplaces: Tuple[str, ...]
    source_file: str
    source_heading: str
    owner: str
    last_reviewed: dt.date
    area: str  # folder below the knowledge folder ("" for files at the top)
    path: Path = field(compare=False, repr=False)

    @property
    def rest(self) -> str:
        """The body without its lead paragraph (Markdown)."""
        return split_lead(self.body)[1]

    @property
    def for_all_professions(self) -> bool:
        return not self.professions or AUDIENCE_ALL in self.professions

    @property
    def for_all_workplaces(self) -> bool:
        return not self.workplaces or AUDIENCE_ALL in self.workplaces


@dataclass(frozen=True)
class ArticleProblem:
    """Something wrong with one file. `skipped` problems kept the article out of the index."""

    path: str  # relative to the knowledge folder
    message: str
    skipped: bool = True


class ArticleError(ValueError):
    """An article file cannot be used (bad front matter, missing field, ...)."""


def iter_article_files(knowledge_dir: Path) -> List[Path]:
    """All article files below `knowledge_dir`, sorted for a stable order."""
    if not knowledge_dir.is_dir():
        return []
    files = []
    for path in sorted(knowledge_dir.rglob("*.md")):
        if path.name.lower() == "readme.md" or path.name.startswith("_"):
            continue
        if any(part.startswith((".", "_")) for part in path.relative_to(knowledge_dir).parts[:-1]):
            continue
        files.append(path)
    return files


def strip_markdown(text: str) -> str:
    """Markdown paragraph -> plain text (links, emphasis and line breaks removed)."""
    text = _MD_LINK.sub(r"\1", text)
    text = _MD_EMPHASIS.sub(r"\2", text)
    text = re.sub(r"^\s{0,3}(?:#{1,6}\s+|>\s?|[-*+]\s+|\d+[.)]\s+)", "", text, flags=re.M)
    return re.sub(r"\s+", " ", text).strip()


def split_lead(body: str) -> Tuple[str, str]:
    """Split a Markdown body into (first paragraph, the rest). Headings before it are skipped."""
    blocks = re.split(r"\n[ \t]*\n", body.strip(), maxsplit=0)
    for index, block in enumerate(blocks):
        if block.strip() and not block.lstrip().startswith("#"):
            return block.strip(), "\n\n".join(blocks[index + 1 :]).strip()
    return "", body.strip()


def _get(meta: Mapping[str, Any], dotted: str) -> Any:
    value: Any = meta
    for key in dotted.split("."):
        if not isinstance(value, Mapping) or key not in value:
            return None
        value = value[key]
    return value


def _string_list(value: Any, name: str) -> Tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, (list, tuple)) or not value:
        raise ArticleError(f"{name} must be a non-empty list")
    items = tuple(str(item).strip() for item in value if item is not None and str(item).strip())
    if not items:
        raise ArticleError(f"{name} must be a non-empty list")
    return items


def _date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError as exc:
        raise ArticleError(f"last_reviewed is not a date (YYYY-MM-DD): {value!r}") from exc


def parse_article(path: Path, knowledge_dir: Path) -> Article:
    """Parse one file; raises ArticleError with a readable message if it is broken."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ArticleError(f"cannot read file: {exc}") from exc
    match = _FRONT_MATTER.match(text)
    if not match:
        raise ArticleError("no YAML front matter between '---' lines at the top")
    try:
        meta = yaml.load(match.group(1), Loader=_YamlLoader)  # noqa: S506 (safe loader)
    except yaml.YAMLError as exc:
        raise ArticleError(f"front matter is not valid YAML: {exc}".splitlines()[0]) from exc
    if not isinstance(meta, Mapping):
        raise ArticleError("front matter must be a mapping")
    missing = [name for name in REQUIRED_FIELDS if _get(meta, name) in (None, "", [])]
    if missing:
        raise ArticleError("missing required field(s): " + ", ".join(missing))

    body = match.group(2).strip()
    lead_md, _ = split_lead(body)
    lead = strip_markdown(lead_md)
    if not lead:
        raise ArticleError("the body has no first paragraph (the answer)")
    relative = path.relative_to(knowledge_dir)
    return Article(
        slug=path.stem,
        title=str(meta["title"]).strip(),
        lead=lead,
        body=body,
        tags=_string_list(meta["tags"], "tags"),
        professions=_string_list(_get(meta, "audience.professions"), "audience.professions"),
        workplaces=_string_list(_get(meta, "audience.workplaces"), "audience.workplaces"),
        source_file=str(_get(meta, "source.file")).strip(),
        source_heading=str(_get(meta, "source.heading")).strip(),
        owner=str(meta["owner"]).strip(),
        last_reviewed=_date(meta["last_reviewed"]),
        area=relative.parts[0] if len(relative.parts) > 1 else "",
        path=path,
    )


def _warnings(
    article: Article,
    rel: str,
    professions: Optional[Iterable[str]],
    workplaces: Optional[Iterable[str]],
    source_files: Optional[Iterable[str]],
) -> List[ArticleProblem]:
    found: List[ArticleProblem] = []

    def warn(message: str) -> None:
        found.append(ArticleProblem(rel, message, skipped=False))

    if not _SLUG.match(article.slug):
        warn(f"slug {article.slug!r} is not lowercase ASCII with hyphens")
    if professions is not None:
        known = set(professions) | {AUDIENCE_ALL}
        for key in article.professions:
            if key not in known:
                warn(f"unknown profession key {key!r} in audience (see bot/vocabulary.yml)")
    if workplaces is not None:
        known = set(workplaces) | {AUDIENCE_ALL}
        for key in article.workplaces:
            if key not in known:
                warn(f"unknown workplace key {key!r} in audience (see bot/vocabulary.yml)")
    if source_files is not None and article.source_file not in set(source_files):
        warn(f"unknown source file {article.source_file!r}")
    if len(article.lead) > 600:
        warn(f"first paragraph is long ({len(article.lead)} characters); the chat shows all of it")
    return found


def load_articles(
    knowledge_dir: Path,
    *,
    professions: Optional[Sequence[str]] = None,
    workplaces: Optional[Sequence[str]] = None,
    source_files: Optional[Sequence[str]] = None,
) -> Tuple[List[Article], List[ArticleProblem]]:
    """Load all articles; return (usable articles, problems). Never raises for one bad file.

    When the known profession/workplace keys or source files are given, unknown
    values are reported as warnings (the article is still loaded).
    """
    articles: List[Article] = []
    problems: List[ArticleProblem] = []
    seen: Dict[str, Path] = {}
    for path in iter_article_files(knowledge_dir):
        rel = path.relative_to(knowledge_dir).as_posix()
        try:
            article = parse_article(path, knowledge_dir)
        except ArticleError as exc:
            log.warning("Skipping knowledge article %s: %s", rel, exc)
            problems.append(ArticleProblem(rel, str(exc)))
            continue
        if article.slug in seen:
            other = seen[article.slug].relative_to(knowledge_dir).as_posix()
            message = f"slug {article.slug!r} is already used by {other}"
            log.warning("Skipping knowledge article %s: %s", rel, message)
            problems.append(ArticleProblem(rel, message))
            continue
        seen[article.slug] = path
        articles.append(article)
        problems.extend(_warnings(article, rel, professions, workplaces, source_files))
    return articles, problems


def validate(knowledge_dir: Path, **known: Optional[Sequence[str]]) -> List[ArticleProblem]:
    """All problems in the knowledge folder (for `make check-knowledge` and the console)."""
    return load_articles(knowledge_dir, **known)[1]
