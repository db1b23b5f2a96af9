-- rhetor store schema, version 5 (PostgreSQL): reliability, persuasion
-- density and the input of each analysis.
--
-- reliable is the result's "reliable" (true: trained language, sure
-- identification); paragraphs the result's paragraphs (non-blank lines);
-- uses the paragraphs summed over the techniques (technique-paragraph
-- pairs), so that uses / paragraphs and uses * 1000 / words are the
-- article's persuasion density; input_hash identifies what the analysis
-- was made from (store.InputHash; '' for rows written before, which no
-- import then takes as unchanged).
ALTER TABLE articles
    ADD COLUMN reliable boolean NOT NULL DEFAULT false,
    ADD COLUMN paragraphs integer NOT NULL DEFAULT 0,
    ADD COLUMN uses integer NOT NULL DEFAULT 0,
    ADD COLUMN input_hash text NOT NULL DEFAULT '';

UPDATE articles SET
    reliable = coalesce((result::jsonb ->> 'reliable')::boolean, false),
    paragraphs = coalesce(jsonb_array_length(result::jsonb -> 'paragraphs'), 0),
    uses = coalesce((SELECT sum(l.paragraphs) FROM labels l WHERE l.article_id = articles.id AND l.kind = 'technique'), 0);

CREATE INDEX articles_reliable ON articles (reliable);
