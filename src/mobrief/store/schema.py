"""The database schema as SQLAlchemy Core tables; Alembic migrations must produce exactly this."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


def _now_column(name: str, nullable: bool = False) -> Column[object]:
    return Column(name, DateTime(timezone=True), nullable=nullable)


sources = Table(
    "sources",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("kind", String(50), nullable=False),  # the adapter: "feed", "telegram-channel", …
    Column("location", Text, nullable=True),  # URL, channel name or path to poll; null for ad-hoc sources
    Column("enabled", Boolean, nullable=False, default=True),
    Column("options", JSON, nullable=False, default=dict),  # adapter options: {"channel": "…", "max_pages": 3}
    Column("state", JSON, nullable=False, default=dict),  # ETag, Last-Modified, last id seen …
    _now_column("created_at"),
    # the polling schedule (sources.polling): seconds between polls, when next, failures in a row
    Column("poll_interval", Float, nullable=True),
    _now_column("next_poll_at", nullable=True),
    _now_column("last_polled_at", nullable=True),
    Column("failures", Integer, nullable=False, default=0, server_default="0"),
    Column("hard_failures", Integer, nullable=False, default=0, server_default="0"),
    Column("last_error", Text, nullable=True),
    Column("disabled_reason", Text, nullable=True),  # why polling stopped by itself; None when it did not
)

snapshots = Table(
    "snapshots",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("url", Text, nullable=False),
    Column("content_type", String(200), nullable=False),
    Column("sha256", String(64), nullable=False, unique=True),
    Column("body", LargeBinary, nullable=False),
    _now_column("fetched_at"),
)

items = Table(
    "items",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("source_id", Integer, ForeignKey("sources.id", ondelete="CASCADE"), nullable=False),
    Column("external_id", String(300), nullable=False),
    Column("url", Text, nullable=True),
    _now_column("published_at"),
    Column("title", Text, nullable=False, default=""),
    Column("text", Text, nullable=False, default=""),
    Column("lang", String(8), nullable=True),  # as the source declared it; enrichment may fill its own
    Column("author", Text, nullable=True),
    Column("links", JSON, nullable=False, default=list),
    Column("raw", JSON, nullable=False, default=dict),
    Column("content_hash", String(64), nullable=False),  # compared per item on re-import; no index needed
    Column("search_lemmas", Text, nullable=False, default=""),  # lemmas of title+text, for full-text search
    Column("snapshot_id", Integer, ForeignKey("snapshots.id", ondelete="SET NULL"), nullable=True),
    _now_column("edited_at", nullable=True),
    Column("edited", Boolean, nullable=False, default=False, server_default=false()),
    Column("author_id", Text, nullable=True),  # the sender's id in the source (Telegram `from_id`)
    Column("forwarded_from", Text, nullable=True),  # who first posted a forwarded message
    Column("forwarded_from_id", Text, nullable=True),  # their id, or the original post's URL
    Column("reply_to", Text, nullable=True),  # external id of the message answered, same source
    Column("views", Integer, nullable=True),
    Column("truncated", Boolean, nullable=False, default=False, server_default=false()),  # text cut; raw has all
    _now_column("deleted_at", nullable=True),  # when the source was seen no longer to show it
    _now_column("ingested_at"),
    _now_column("updated_at"),
    UniqueConstraint("source_id", "external_id", name="uq_items_source_external"),
    Index("ix_items_published_at", "published_at"),
)

item_revisions = Table(
    "item_revisions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("item_id", Integer, ForeignKey("items.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("title", Text, nullable=False),
    Column("text", Text, nullable=False),
    Column("content_hash", String(64), nullable=False),
    _now_column("edited_at", nullable=True),  # when the replaced text was last edited upstream, if known
    _now_column("replaced_at"),
    UniqueConstraint("item_id", "content_hash", name="uq_item_revisions_item_hash"),
)

item_enrichments = Table(
    "item_enrichments",
    metadata,
    Column("item_id", Integer, ForeignKey("items.id", ondelete="CASCADE"), primary_key=True),
    Column("lang", String(8), nullable=True),
    Column("relevance", Float, nullable=True),
    Column("is_relevant", Boolean, nullable=True),
    Column("section", String(40), nullable=True),
    Column("section_confidence", Float, nullable=True),
    Column("entities", JSON, nullable=True),
    Column("places", JSON, nullable=True),
    Column("amounts", JSON, nullable=True),
    Column("stage_versions", JSON, nullable=False, default=dict),  # stage name → version that produced it
    Column("editor_section", String(40), nullable=True),  # an editor's assignment wins over the model's
    Column("editor_decision", String(20), nullable=True),  # "keep" / "skip"
    _now_column("updated_at"),
    Index("ix_item_enrichments_section", "section"),
)

enrichment_failures = Table(
    "enrichment_failures",
    metadata,
    Column("item_id", Integer, ForeignKey("items.id", ondelete="CASCADE"), primary_key=True),
    Column("attempts", Integer, nullable=False, default=0),  # runs that began the item and never finished it
    Column("set_aside", Boolean, nullable=False, default=False),  # left out of enrichment until retried
    Column("error", Text, nullable=True),  # why it was set aside
    _now_column("updated_at"),
)

stories = Table(
    "stories",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("title", Text, nullable=False, default=""),
    _now_column("first_seen"),
    _now_column("last_seen"),
    Column("outlets", JSON, nullable=False, default=list),
    Column("places", JSON, nullable=False, default=list),
    Column("section", String(40), nullable=True),
    Column("status", String(20), nullable=False, default="new"),  # new / skip / brief
    Column("pinned", Boolean, nullable=False, default=False),
    Column("entry_text", Text, nullable=True),  # the editor's English text for the brief
    Column("signature", JSON, nullable=True),  # what clustering needs to match later items (lemmas, minhash)
    _now_column("updated_at"),
    Index("ix_stories_last_seen", "last_seen"),
)

story_items = Table(
    "story_items",
    metadata,
    Column("item_id", Integer, ForeignKey("items.id", ondelete="CASCADE"), primary_key=True),
    Column("story_id", Integer, ForeignKey("stories.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("method", String(30), nullable=False),  # "exact-url", "text-hash", "minhash", "similar", "new"
    Column("score", Float, nullable=False, default=1.0),
)

story_links = Table(
    "story_links",
    metadata,
    Column("story_id", Integer, ForeignKey("stories.id", ondelete="CASCADE"), primary_key=True),
    Column("earlier_story_id", Integer, ForeignKey("stories.id", ondelete="CASCADE"), primary_key=True),
    Column("score", Float, nullable=False),
    Column("reasons", JSON, nullable=False, default=list),
)

# stories whose thread links must be computed again: written with the clustering batch that changed them and
# cleared with their new links, so a run killed between the two leaves the work for the next run
stories_to_link = Table(
    "stories_to_link",
    metadata,
    Column("story_id", Integer, ForeignKey("stories.id", ondelete="CASCADE"), primary_key=True),
)

briefs = Table(
    "briefs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("title", Text, nullable=False),
    Column("period_start", Date, nullable=True),
    Column("period_end", Date, nullable=True),
    Column("status", String(20), nullable=False, default="published"),  # published / draft
    Column("url", Text, nullable=True),
    Column("content_hash", String(64), nullable=False, unique=True),
    _now_column("published_at", nullable=True),
    _now_column("created_at"),
    Column("corrects_brief_id", Integer, nullable=True),  # a draft correcting this published brief
    Index("ix_briefs_period_end", "period_end"),
)

brief_sections = Table(
    "brief_sections",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("brief_id", Integer, ForeignKey("briefs.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("position", Integer, nullable=False),
    Column("key", String(40), nullable=False),
    Column("heading", Text, nullable=True),
)

brief_paragraphs = Table(
    "brief_paragraphs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("section_id", Integer, ForeignKey("brief_sections.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("position", Integer, nullable=False),
    Column("text", Text, nullable=False),
    Column("story_id", Integer, ForeignKey("stories.id", ondelete="SET NULL"), nullable=True, index=True),
    Column("item_ids", JSON, nullable=False, default=list),
    Column("status", String(20), nullable=True),  # drafts: "to-write" / "drafted" / "written"; null when archived
    Column("sources", JSON, nullable=True),  # [{url, outlet, published_at}] the entry names
    Column("previously", JSON, nullable=True),  # [{brief_id, title, url}] earlier briefs the story continues
    Column("edited", Boolean, nullable=False, default=False),  # an editor wrote or moved it: compose keeps it
    Column("drafting", JSON, nullable=True),  # a machine draft's {backend, sentences, findings}
)

story_drafts = Table(
    "story_drafts",
    metadata,
    Column("story_id", Integer, ForeignKey("stories.id", ondelete="CASCADE"), primary_key=True),
    Column("text", Text, nullable=False),
    Column("status", String(20), nullable=False),  # "drafted" / "needs-check"
    Column("backend", String(40), nullable=False),
    Column("backend_version", String(120), nullable=False),
    Column("sentences", JSON, nullable=False, default=list),  # [{text, item_id, start, end, source_text}]
    Column("findings", JSON, nullable=False, default=list),  # [{kind, text, message}]
    Column("item_ids", JSON, nullable=False, default=list),  # the reports it was drafted from
    _now_column("drafted_at"),
)

brief_exclusions = Table(
    "brief_exclusions",
    metadata,
    Column("brief_id", Integer, ForeignKey("briefs.id", ondelete="CASCADE"), primary_key=True),
    Column("story_id", Integer, ForeignKey("stories.id", ondelete="CASCADE"), primary_key=True),
    Column("editor", String(320), nullable=True),  # who removed the story from the draft
    _now_column("created_at"),
)

brief_revisions = Table(
    "brief_revisions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("brief_id", Integer, ForeignKey("briefs.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("kind", String(20), nullable=False),  # correction / withdrawal
    Column("note", Text, nullable=False),  # what readers are told
    Column("previous", JSON, nullable=True),  # a corrected brief as it read before (the archive's JSON form)
    Column("editor", String(320), nullable=True),
    _now_column("created_at"),
)

story_decisions = Table(
    "story_decisions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(10), nullable=False),  # merge / move / split
    # the story the reports went to (null once clustering is rebuilt: the item lists below still hold)
    Column("story_id", Integer, ForeignKey("stories.id", ondelete="SET NULL"), nullable=True, index=True),
    Column("from_story_id", Integer, nullable=True),  # the story they left (a merged story no longer exists)
    Column("item_ids", JSON, nullable=False, default=list),  # the reports the editor moved
    Column("joined_item_ids", JSON, nullable=False, default=list),  # reports they now belong with
    Column("left_item_ids", JSON, nullable=False, default=list),  # reports they must never again share a story with
    Column("editor", String(320), nullable=True),
    _now_column("created_at"),
)

story_suggestions = Table(
    "story_suggestions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("story_id", Integer, ForeignKey("stories.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("text", Text, nullable=False),  # a volunteer's English entry, for an editor to take or leave
    Column("editor", String(320), nullable=True),
    _now_column("created_at"),
)

outlet_aliases = Table(
    "outlet_aliases",
    metadata,
    Column("alias", String(300), primary_key=True),  # a source name, feed title or channel name as stored
    Column("outlet", String(300), nullable=False, index=True),  # the one name filters and attributions show
    _now_column("created_at"),
)

paragraph_search = Table(
    "paragraph_search",  # the lemmas of a published paragraph, filled by the store at search time (see search_hits)
    metadata,
    Column("paragraph_id", Integer, ForeignKey("brief_paragraphs.id", ondelete="CASCADE"), primary_key=True),
    Column("search_lemmas", Text, nullable=False),
)

glossary_terms = Table(
    "glossary_terms",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("term", Text, nullable=False, unique=True),  # as written in English briefs: "Rosgvardia"
    Column("gloss", Text, nullable=True),  # canonical gloss; null for a spelling-only override
    Column("kind", String(30), nullable=False, default="term"),  # term / outlet / region / override …
    Column("russian", JSON, nullable=False, default=list),  # Russian forms that map to this term
    Column("variants", JSON, nullable=False, default=list),  # other glosses and spellings seen
    Column("count", Integer, nullable=False, default=0),
    Column("first_seen", Date, nullable=True),
    Column("last_seen", Date, nullable=True),
    Column("origin", String(20), nullable=False, default="user"),  # default / mined / user
    _now_column("updated_at"),
)

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("email", String(320), nullable=False, unique=True),
    Column("password_hash", Text, nullable=False),  # argon2
    Column("role", String(20), nullable=False),  # volunteer / editor / admin
    # an admin's reset sets a one-time password the user must replace at the next sign-in
    Column("must_change_password", Boolean, nullable=False, default=False),
    _now_column("password_changed_at", nullable=True),
    _now_column("created_at"),
)

# Signed-in sessions, server side: signing out deletes the row, so the cookie stops working at once.
sessions = Table(
    "sessions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),  # sha256 of the cookie's token, never the token
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("csrf", String(64), nullable=False),
    Column("client", String(64), nullable=True),  # the address it was opened from
    Column("user_agent", String(300), nullable=True),
    _now_column("created_at"),
    _now_column("last_seen_at"),
)

# Sign-in attempts per (account, address), for a delay that grows with each failure (never a lockout).
sign_in_throttle = Table(
    "sign_in_throttle",
    metadata,
    Column("key", String(64), primary_key=True),  # sha256 of the normalised email and the client address
    Column("failures", Integer, nullable=False),
    _now_column("not_before"),
    _now_column("last_attempt"),
    Index("ix_sign_in_throttle_last_attempt", "last_attempt"),
)

# Who did what, when and from where: sign-ins, account changes, publishing. Rows are only ever added.
audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True),
    _now_column("at"),
    Column("action", String(60), nullable=False),  # "auth.sign_in", "user.role_changed", "brief.published" …
    Column("actor_id", Integer, ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
    Column("actor_email", String(320), nullable=True),  # kept when the account is removed
    Column("client", String(64), nullable=True),  # the address, or "cli" for the command line
    Column("target_kind", String(30), nullable=True),  # "user", "brief" …
    Column("target_id", Integer, nullable=True),
    Column("detail", JSON, nullable=False, default=dict),
    Index("ix_audit_log_at", "at"),
    Index("ix_audit_log_target", "target_kind", "target_id"),
    Index("ix_audit_log_actor_id", "actor_id"),
)

exchange_rates = Table(
    "exchange_rates",
    metadata,
    Column("date", Date, primary_key=True),  # the date from which the rate applies
    Column("currency", String(3), primary_key=True),
    Column("rate", Float, nullable=False),  # rubles per unit
)

models = Table(
    "models",
    metadata,
    Column("name", String(60), primary_key=True),  # "relevance", "sections"
    Column("version", String(40), nullable=False),
    Column("data", JSON, nullable=False),
    _now_column("trained_at"),
)

# Long work the web app asked for (composing a draft …), run outside the request by a `mobrief worker` (team
# server) or a thread of the web process (laptop): both write its state and progress here, so any web process
# shows it on both backends, with the stage and counts Procrastinate's own job table has no place for.
background_jobs = Table(
    "background_jobs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(30), nullable=False),  # "compose", "redraft", "import"
    Column("brief_id", Integer, ForeignKey("briefs.id", ondelete="CASCADE"), nullable=True),  # the draft it makes
    Column("state", String(16), nullable=False),  # queued / running / done / failed
    Column("stage", String(60), nullable=False, default=""),  # what it is doing now: "drafting stories" …
    Column("done", Integer, nullable=True),  # of `total` in this stage, when the stage counts
    Column("total", Integer, nullable=True),
    Column("error", Text, nullable=True),  # why it failed
    Column("runner", String(16), nullable=False),  # "queue" (a `mobrief worker`) or "in-process" (the web process)
    Column("owner", String(200), nullable=True),  # who runs it: "host:pid" of the process that took it
    Column("queue_job_id", Integer, nullable=True),  # Procrastinate's job id, for `mobrief jobs` and the logs
    Column("requested_by", Integer, ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
    _now_column("created_at"),
    _now_column("started_at", nullable=True),
    _now_column("finished_at", nullable=True),
    _now_column("updated_at"),
    Column("story_id", Integer, ForeignKey("stories.id", ondelete="SET NULL"), nullable=True),  # the story re-drafted
    Column("file_name", String(300), nullable=True),  # the file imported, as the editor's computer named it
    Column("payload", LargeBinary, nullable=True),  # its bytes, until the job ends
    Column("result", Text, nullable=True),  # what it did, in a line ("1 brief imported, 9 paragraphs")
    Index("ix_background_jobs_brief_id", "brief_id"),
    Index("ix_background_jobs_finished_at", "finished_at"),
)
