-- rhetor store schema, version 2 (SQLite): results stored without the
-- texts their offsets give.
--
-- When result_compact is 1, result omits the text of each paragraph, span
-- and piece of evidence (each is the article text between its start and
-- end, in code points); Store.Get puts them back. Rows written before keep
-- their whole result (result_compact 0).
ALTER TABLE articles ADD COLUMN result_compact INTEGER NOT NULL DEFAULT 0 CHECK (result_compact IN (0, 1));
