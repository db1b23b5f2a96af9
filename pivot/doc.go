// Package pivot maps the words of a language onto English words, so that
// the article features a model learns from English texts (or from texts
// of any language) count in the others: a German article's word
// "Regierung" also adds the English word feature "government"
// (feature.WordHash), through feature.Pivot.
//
// The translations come from bilingual dictionaries in dictd format, as
// Debian's packages install them in /usr/share/dictd (DefaultDir):
//
//	de  freedict-deu-eng  dict-freedict-deu-eng  German-English
//	es  freedict-spa-eng  dict-freedict-spa-eng  Spanish-English
//	fr  freedict-fra-eng  dict-freedict-fra-eng  French-English
//	it  freedict-ita-eng  dict-freedict-ita-eng  Italian-English
//	pl  freedict-eng-pol  dict-freedict-eng-pol  English-Polish, in reverse
//	ru  mueller7          mueller7-dict          V. K. Mueller's English-Russian, in reverse
//
// Load parses one (ReadFreeDict, ReadMueller) and builds a Table: for each
// source word, its first two English translations (one word each), under a
// 32-bit hash of the word's folded form (its Snowball stem for Russian,
// French and Spanish). A model file stores only these tables (WriteTo,
// ReadTable), not the dictionaries. The choices (two translations, stems
// for ru, fr and es, the exact form or a prefix less up to 3 runes for the
// others, Mueller's dictionary rather than FreeDict's small eng-rus) were
// measured on the frame and genre tasks with rhetor's cross-validation
// (see the README's Accuracy section).
//
// Licences (Debian's copyright files, /usr/share/doc/<package>/copyright,
// and the dictionaries' own headers): FreeDict's German-English dictionary
// (made from the Ding dictionary of Frank Richter, TU Chemnitz, by Einhard
// Leichtfuß) is GPL-3+ (its header adds that the ding2tei program that made
// it, not shipped, is AGPL-3); the French-English, Italian-English and
// Spanish-English ones are GPL-2+; the English-Polish one (Piotr Bański et
// al.) is GPL-3+ for its markup and GFDL-1.2+ for its textual content.
// Mueller's dictionary (S. Starostin, E. S. Cymbalyuk) is GPL-2+. The
// tables are derived from these dictionaries: a model file that carries
// them carries data derived from works under these licences. The
// dictionaries themselves are not part of rhetor.
package pivot
