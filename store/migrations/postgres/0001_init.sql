-- rhetor store schema, version 1 (PostgreSQL).
-- Text columns that are compared or sorted use COLLATE "C" (byte order), so
-- that listings sort exactly as they do with SQLite.

CREATE TABLE articles (
    id      text COLLATE "C" PRIMARY KEY,
    source  text COLLATE "C" NOT NULL DEFAULT '',
    url     text NOT NULL DEFAULT '',
    date    text COLLATE "C" NOT NULL DEFAULT '',   -- YYYY-MM-DD or ''
    lang    text COLLATE "C" NOT NULL DEFAULT '',
    title   text NOT NULL DEFAULT '',
    words   integer NOT NULL DEFAULT 0,
    text    text NOT NULL,
    genre   text COLLATE "C" NOT NULL DEFAULT '',
    result  text NOT NULL,                          -- analyze.Result as JSON
    model   text NOT NULL DEFAULT '',
    stored  timestamptz NOT NULL,
    -- Full-text index: the words of the first 100,000 characters (a tsvector
    -- holds at most 1 MB), as the store extracts them (the same words the
    -- SQLite index gets), without positions: queries only need every word.
    tsv     tsvector NOT NULL
);

-- The text, the result JSON and the search words are the bulk of a row: lz4
-- compresses them several times faster than the default pglz (it halved the
-- time to store a batch in our measurements). Servers built without lz4 keep
-- pglz.
DO $$
BEGIN
    EXECUTE 'ALTER TABLE articles ALTER COLUMN text SET COMPRESSION lz4, ALTER COLUMN result SET COMPRESSION lz4, ALTER COLUMN tsv SET COMPRESSION lz4';
EXCEPTION WHEN others THEN
    NULL;
END
$$;

CREATE INDEX articles_date_id ON articles (date DESC, id);
CREATE INDEX articles_lang ON articles (lang);
CREATE INDEX articles_source ON articles (source);
CREATE INDEX articles_genre ON articles (genre);
CREATE INDEX articles_stored ON articles (stored);
CREATE INDEX articles_tsv ON articles USING gin (tsv);

CREATE TABLE labels (
    article_id text COLLATE "C" NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    kind       text COLLATE "C" NOT NULL CHECK (kind IN ('frame', 'technique')),
    label      text COLLATE "C" NOT NULL,
    paragraphs integer NOT NULL DEFAULT 0,  -- techniques: paragraphs it was decided for
    position   integer NOT NULL DEFAULT 0,  -- order within the article (frames by score)
    PRIMARY KEY (article_id, kind, label)
);

CREATE INDEX labels_kind_label ON labels (kind, label, article_id);
