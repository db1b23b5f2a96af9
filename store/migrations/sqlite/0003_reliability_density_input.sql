-- rhetor store schema, version 3 (SQLite): reliability, persuasion density
-- and the input of each analysis.
--
-- reliable is the result's "reliable" (1: trained language, sure
-- identification); paragraphs the result's paragraphs (non-blank lines);
-- uses the paragraphs summed over the techniques (technique-paragraph
-- pairs), so that uses / paragraphs and uses * 1000 / words are the
-- article's persuasion density; input_hash identifies what the analysis
-- was made from (store.InputHash; '' for rows written before, which no
-- import then takes as unchanged).
ALTER TABLE articles ADD COLUMN reliable INTEGER NOT NULL DEFAULT 0 CHECK (reliable IN (0, 1));
ALTER TABLE articles ADD COLUMN paragraphs INTEGER NOT NULL DEFAULT 0;
ALTER TABLE articles ADD COLUMN uses INTEGER NOT NULL DEFAULT 0;
ALTER TABLE articles ADD COLUMN input_hash TEXT NOT NULL DEFAULT '';

UPDATE articles SET
    reliable = CASE WHEN json_extract(result, '$.reliable') THEN 1 ELSE 0 END,
    paragraphs = coalesce(json_array_length(result, '$.paragraphs'), 0),
    uses = coalesce((SELECT sum(l.paragraphs) FROM labels l WHERE l.article_id = articles.id AND l.kind = 'technique'), 0);

CREATE INDEX articles_reliable ON articles (reliable);
