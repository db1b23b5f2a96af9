-- rhetor store schema, version 5 (PostgreSQL): stories, the articles
-- grouped by the event they report (package story).
--
-- story_keys holds each article's signals (story.Extract) and their
-- weights in the article, the inverted index that places a new article;
-- story_members the story of each grouped article (a story's id is the id
-- of an article of it) and the squared norm of its weighted signals (the
-- signals shared with other articles); story_corrections the merges and splits users made, in order,
-- which a rebuild applies again. Articles stored before this version have
-- no story until `rhetor stories --rebuild`.
--
-- As for labels (version 3), statement triggers instead of foreign keys
-- keep the rows to their articles, so that TRUNCATE articles still works:
-- deleting articles deletes their story_keys and story_members rows,
-- TRUNCATE articles truncates both (the corrections name articles by id
-- and are kept: a rebuild skips those whose articles are gone). The store
-- writes these rows only in the transaction that writes their article.
CREATE TABLE story_keys (
    key        text COLLATE "C" NOT NULL,
    article_id text COLLATE "C" NOT NULL,
    weight     double precision NOT NULL,
    PRIMARY KEY (key, article_id)
);

CREATE INDEX story_keys_article ON story_keys (article_id);

CREATE TABLE story_members (
    article_id text COLLATE "C" PRIMARY KEY,
    story      text COLLATE "C" NOT NULL,
    norm2      double precision NOT NULL -- the squared norm of its weighted signals
);

CREATE INDEX story_members_story ON story_members (story);

CREATE TABLE story_corrections (
    seq        bigserial PRIMARY KEY,
    kind       text NOT NULL CHECK (kind IN ('merge', 'split')),
    article_id text COLLATE "C" NOT NULL,
    other_id   text COLLATE "C" NOT NULL DEFAULT '',
    created    text NOT NULL
);

CREATE FUNCTION rhetor_delete_story_rows() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    DELETE FROM story_keys k USING old_articles o WHERE k.article_id = o.id;
    DELETE FROM story_members m USING old_articles o WHERE m.article_id = o.id;
    RETURN NULL;
END
$$;

CREATE TRIGGER articles_delete_story_rows AFTER DELETE ON articles
    REFERENCING OLD TABLE AS old_articles
    FOR EACH STATEMENT EXECUTE FUNCTION rhetor_delete_story_rows();

CREATE FUNCTION rhetor_truncate_story_rows() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    TRUNCATE story_keys, story_members;
    RETURN NULL;
END
$$;

CREATE TRIGGER articles_truncate_story_rows AFTER TRUNCATE ON articles
    FOR EACH STATEMENT EXECUTE FUNCTION rhetor_truncate_story_rows();
