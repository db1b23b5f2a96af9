-- rhetor store schema, version 3 (PostgreSQL): labels kept to their
-- articles by statement triggers instead of a foreign key.
--
-- The foreign key checked each label row on its own: one lookup and one
-- row lock on its article per label (an article has about ten), which made
-- inserting labels three times as costly as inserting them unchecked. These
-- triggers give the same guarantees with one set-based check per statement
-- that locks each article once:
--   - labels_have_articles: inserting or updating labels of an article that
--     is not stored fails, as with the foreign key (SQLSTATE 23503), and
--     the articles of the labels are locked FOR KEY SHARE, as the foreign
--     key locked them, so that no other transaction deletes them before
--     this one ends;
--   - articles_delete_labels: deleting articles deletes their labels (the
--     foreign key's ON DELETE CASCADE); articles_truncate_labels: TRUNCATE
--     articles truncates labels;
--   - articles_id_kept: an article's id cannot change while it has labels.
-- The functions look the tables up in the search path the migration ran
-- with (SET search_path FROM CURRENT), whatever the path of the session
-- that fires them.

ALTER TABLE labels DROP CONSTRAINT IF EXISTS labels_article_id_fkey;

CREATE FUNCTION rhetor_labels_have_articles() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
    missing text;
BEGIN
    PERFORM 1 FROM articles a WHERE a.id IN (SELECT article_id FROM new_labels) FOR KEY SHARE;
    SELECT n.article_id INTO missing FROM new_labels n
    WHERE NOT EXISTS (SELECT 1 FROM articles a WHERE a.id = n.article_id) LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'labels of article % which is not stored', missing
            USING ERRCODE = 'foreign_key_violation', TABLE = 'labels';
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER labels_have_articles AFTER INSERT ON labels
    REFERENCING NEW TABLE AS new_labels
    FOR EACH STATEMENT EXECUTE FUNCTION rhetor_labels_have_articles();
CREATE TRIGGER labels_have_articles_update AFTER UPDATE ON labels
    REFERENCING NEW TABLE AS new_labels
    FOR EACH STATEMENT EXECUTE FUNCTION rhetor_labels_have_articles();

CREATE FUNCTION rhetor_delete_labels() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    DELETE FROM labels l USING old_articles o WHERE l.article_id = o.id;
    RETURN NULL;
END
$$;

CREATE TRIGGER articles_delete_labels AFTER DELETE ON articles
    REFERENCING OLD TABLE AS old_articles
    FOR EACH STATEMENT EXECUTE FUNCTION rhetor_delete_labels();

CREATE FUNCTION rhetor_truncate_labels() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    TRUNCATE labels;
    RETURN NULL;
END
$$;

CREATE TRIGGER articles_truncate_labels AFTER TRUNCATE ON articles
    FOR EACH STATEMENT EXECUTE FUNCTION rhetor_truncate_labels();

CREATE FUNCTION rhetor_article_id_kept() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    IF NEW.id IS DISTINCT FROM OLD.id AND EXISTS (SELECT 1 FROM labels WHERE article_id = OLD.id) THEN
        RAISE EXCEPTION 'article % has labels: its id cannot change', OLD.id
            USING ERRCODE = 'foreign_key_violation', TABLE = 'articles';
    END IF;
    RETURN NEW;
END
$$;

-- Only UPDATEs that set id fire it (the store's upsert does not).
CREATE TRIGGER articles_id_kept BEFORE UPDATE OF id ON articles
    FOR EACH ROW EXECUTE FUNCTION rhetor_article_id_kept();
