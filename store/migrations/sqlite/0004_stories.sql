-- rhetor store schema, version 3 (SQLite): stories, the articles grouped
-- by the event they report (package story).
--
-- story_keys holds each article's signals (story.Extract) and their
-- weights in the article, the inverted index that places a new article;
-- story_members the story of each grouped article (a story's id is the id
-- of an article of it) and the squared norm of its weighted signals (the
-- signals shared with other articles); story_corrections the merges and splits users made, in order,
-- which a rebuild applies again. Articles stored before this version have
-- no story until `rhetor stories --rebuild`.
CREATE TABLE story_keys (
    key        TEXT NOT NULL,
    article_id TEXT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    weight     REAL NOT NULL,
    PRIMARY KEY (key, article_id)
) WITHOUT ROWID;

CREATE INDEX story_keys_article ON story_keys (article_id);

CREATE TABLE story_members (
    article_id TEXT PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
    story      TEXT NOT NULL,
    norm2      REAL NOT NULL             -- the squared norm of its weighted signals
);

CREATE INDEX story_members_story ON story_members (story);

CREATE TABLE story_corrections (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    kind       TEXT NOT NULL CHECK (kind IN ('merge', 'split')),
    article_id TEXT NOT NULL,            -- merge: an article of the story kept; split: the article
    other_id   TEXT NOT NULL DEFAULT '', -- merge: an article of the story merged into it
    created    TEXT NOT NULL
);
