-- rhetor store schema, version 1 (SQLite).
-- Text columns compare byte-wise (BINARY), like the PostgreSQL schema's COLLATE "C".

CREATE TABLE articles (
    id      TEXT PRIMARY KEY,
    source  TEXT NOT NULL DEFAULT '',
    url     TEXT NOT NULL DEFAULT '',
    date    TEXT NOT NULL DEFAULT '',      -- YYYY-MM-DD or ''
    lang    TEXT NOT NULL DEFAULT '',
    title   TEXT NOT NULL DEFAULT '',
    words   INTEGER NOT NULL DEFAULT 0,
    text    TEXT NOT NULL,
    genre   TEXT NOT NULL DEFAULT '',
    result  TEXT NOT NULL,                 -- analyze.Result as JSON
    model   TEXT NOT NULL DEFAULT '',
    stored  TEXT NOT NULL                  -- UTC, 2006-01-02T15:04:05.000000Z
);

CREATE INDEX articles_date_id ON articles (date DESC, id);
CREATE INDEX articles_lang ON articles (lang);
CREATE INDEX articles_source ON articles (source);
CREATE INDEX articles_genre ON articles (genre);
CREATE INDEX articles_stored ON articles (stored);

CREATE TABLE labels (
    article_id TEXT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL CHECK (kind IN ('frame', 'technique')),
    label      TEXT NOT NULL,
    paragraphs INTEGER NOT NULL DEFAULT 0, -- techniques: paragraphs it was decided for
    position   INTEGER NOT NULL DEFAULT 0, -- order within the article (frames by score)
    PRIMARY KEY (article_id, kind, label)
);

CREATE INDEX labels_kind_label ON labels (kind, label, article_id);

-- Full-text index of each article: the words of its first 100,000
-- characters, as the store extracts them (the same words the PostgreSQL
-- index gets), written by the store with the article; deleted with it.
CREATE VIRTUAL TABLE articles_fts USING fts5 (
    text,
    content = '',
    contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
    DELETE FROM articles_fts WHERE rowid = old.rowid;
END;
