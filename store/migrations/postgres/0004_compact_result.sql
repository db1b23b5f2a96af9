-- rhetor store schema, version 4 (PostgreSQL): results stored without the
-- texts their offsets give.
--
-- When result_compact is true, result omits the text of each paragraph,
-- span and piece of evidence (each is the article text between its start
-- and end, in code points); Store.Get puts them back. Rows written before
-- keep their whole result (result_compact false).
ALTER TABLE articles ADD COLUMN result_compact boolean NOT NULL DEFAULT false;
