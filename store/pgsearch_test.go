package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"regexp"
	"rhetor/internal/testenv"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"rhetor/corpus"
	"rhetor/internal/pgtest"
	"rhetor/text"
)

// sharedDir is the directory of the shared samples and data sets, beside
// the repository.
const sharedDir = "../../shared"

// realTexts returns the texts of the sample articles and of up to perLang
// training articles of each language of the SemEval 2023 task 3 release,
// or skips tb when none of them is present.
func realTexts(tb testing.TB, perLang int) []string {
	tb.Helper()
	dirs := []string{filepath.Join(sharedDir, "samples")}
	langs, _ := filepath.Glob(filepath.Join(sharedDir, "data/semeval2023-task3/*/train-articles-subtask-3"))
	dirs = append(dirs, langs...)
	var texts []string
	for i, dir := range dirs {
		files, err := corpus.ArticleFiles(dir)
		if err != nil {
			continue
		}
		if i > 0 && len(files) > perLang {
			files = files[:perLang]
		}
		for _, f := range files {
			a, err := corpus.ReadArticle(f)
			if err != nil {
				tb.Fatalf("read %s: %v", f, err)
			}
			texts = append(texts, a.Text)
		}
	}
	if len(texts) == 0 {
		testenv.Missing(tb, testenv.RequireData, fmt.Sprintf("no articles in %s/samples or %s/data/semeval2023-task3/*/train-articles-subtask-3", sharedDir, sharedDir))
	}
	return texts
}

// oddWords are words (as searchTerms splits them) whose lowercasing or
// parsing could differ between Go and PostgreSQL: combining marks, final
// sigma, dotted and dotless i, sharp s, letters whose lowercase has another
// UTF-8 length, titlecase digraphs, scripts with vowel signs, non-ASCII
// digits, fullwidth forms, letters outside the BMP, and what the parser
// could read as numbers.
var oddWords = []string{
	"e\u0301tude", "a\u0308b", "x\uFE0F", "ΣΟΦΟΣ", "σοφός", "ΐ", "İstanbul", "ISTANBUL", "ı", "Straße", "STRASSE", "ẞ",
	"\u212A", "\u2126", "\u212B", "Ⱥ", "ǅ", "ǈ", "Ǆ", "ǆ", "ﬁ", "ŉ", "Ω", "Å",
	"مُحَمَّد", "שָׁלוֹם", "हिन्दी", "ভাষা", "தமிழ்", "ภาษาไทย", "ພາສາລາວ", "မြန်မာ",
	"٣٤٥", "۱۲۳", "٣x", "١٢", "ＡＢＣ１２３", "한국어", "カタカナ", "ひらがな", "東京", "ᲐᲑᲒ", "Ꭰ", "ꭰ", "𐒰", "𐐀", "𞤀", "𝐀𝐁",
	"abc123", "1e5", "1E5", "0x1F", "123abc", "12", "007",
	// Marks that start a word: PostgreSQL's parser drops the zero-width
	// ones that its C library does not call letters, as Go does.
	"\u0301", "\u0301abc", "\uFE0F", "\u20DDa", "\u1AB0x", "\u0301\u0302",
}

// markLedWords start with marks that glibc calls letters (or PostgreSQL
// lists as such): PostgreSQL's parser keeps them, Go drops them (known
// differences, listed by TestPGLexemesMatchToTSVector).
var markLedWords = []string{"\u0903", "\u0903abc", "\u0E31", "\u0E31ก", "\u05B0", "\u0670"}

// longWords are words around the lexeme length limit, before and after
// lowercasing.
var longWords = []string{
	strings.Repeat("a", maxLexemeBytes), strings.Repeat("b", maxLexemeBytes+1), strings.Repeat("c", 3000),
	strings.Repeat("\u212A", 700),               // 2,100 bytes, 700 once lowercased: skipped as to_tsvector does
	strings.Repeat("é", maxLexemeBytes/2),       // 2,046 bytes: kept
	strings.Repeat("é", maxLexemeBytes/2) + "x", // 2,047 bytes: skipped
}

// growingWord is 2,001 bytes long, 3,001 once lowercased: Go skips it, as
// no lexeme is that long, but to_tsvector, which checks the length before
// lowercasing, keeps it (a known difference).
var growingWord = strings.Repeat("\u023A", 1000) + "a"

func TestSearchRune(t *testing.T) {
	for r := rune(0); r <= unicode.MaxRune+1; r++ {
		word, base := searchRune(r)
		wantWord := r != utf8.RuneError && text.IsWordRune(r)
		wantBase := wantWord && (unicode.IsLetter(r) || unicode.IsDigit(r))
		if word != wantWord || base != wantBase {
			t.Fatalf("searchRune(%U) = %v, %v; want %v, %v", r, word, base, wantWord, wantBase)
		}
	}
}

// refLexemes is pgLexemes written plainly: the words of searchTerms,
// without their leading marks, lowercased rune by rune, without those too
// long before or after lowercasing, sorted, without repeats.
func refLexemes(s string, limit int) []string {
	var out []string
	for _, w := range searchTerms(truncateRunes(s, limit)) {
		w = strings.TrimLeftFunc(w, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
		lex := strings.Map(unicode.ToLower, w)
		if w != "" && len(w) <= maxLexemeBytes && len(lex) <= maxLexemeBytes {
			out = append(out, lex)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func TestLexemes(t *testing.T) {
	cases := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"!!! ''", nil},
		{"The parliament voted; THE Parliament votes", []string{"parliament", "the", "voted", "votes"}},
		{"Парламент ПАРЛАМЕНТ парламент", []string{"парламент"}},
		{"ΣΟΦΟΣ σοφός", []string{"σοφοσ", "σοφός"}},
		{"İstanbul ISTANBUL", []string{"istanbul"}}, // unicode.ToLower, not Turkish rules nor strings.ToLowerSpecial
		{"e\u0301tude", []string{"e\u0301tude"}},
		{"❤\uFE0F love \u0301abc", []string{"abc", "love"}},
		{"don't it's", []string{"don", "it", "s", "t"}},
		{"b a ab aa a\u00e9 b", []string{"a", "aa", "ab", "a\u00e9", "b"}}, // byte order, a prefix first
		{"\xffa\xfeB", []string{"a", "b"}},
	}
	for _, c := range cases {
		got := pgLexemes(c.in, len(c.in))
		if !slices.Equal(got, c.want) && !(len(got) == 0 && len(c.want) == 0) {
			t.Errorf("pgLexemes(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	for _, w := range append(append(slices.Clone(oddWords), markLedWords...), append(longWords, growingWord)...) {
		in := "x " + w + " y"
		if got, want := pgLexemes(in, len(in)), refLexemes(in, len(in)); !slices.Equal(got, want) {
			t.Errorf("pgLexemes(%q) = %q, want %q", truncateRunes(in, 40), got, want)
		}
	}
	// The limit counts code points, a word cut by it ends there.
	if got := pgLexemes("ab cdé fg", 6); !slices.Equal(got, []string{"ab", "cdé"}) {
		t.Errorf("pgLexemes limited to 6 = %q", got)
	}
	if got := pgLexemes("ab cdé fg", 5); !slices.Equal(got, []string{"ab", "cd"}) {
		t.Errorf("pgLexemes limited to 5 = %q", got)
	}
}

// FuzzPGLexemes checks that pgLexemes, which splits and lowercases in one
// pass, gives the words of searchTerms (those that searchText gives SQLite).
func FuzzPGLexemes(f *testing.F) {
	for _, s := range append(append(slices.Clone(oddWords), markLedWords...), "The parliament, l'État", "\xff\xfe", "a\u0301 \u0301b", "") {
		f.Add(s, uint16(len(s)))
	}
	f.Fuzz(func(t *testing.T, s string, limit uint16) {
		got, want := pgLexemes(s, int(limit)), refLexemes(s, int(limit))
		if !slices.Equal(got, want) && !(len(got) == 0 && len(want) == 0) {
			t.Errorf("pgLexemes(%q, %d) = %q, want %q", s, limit, got, want)
		}
	})
}

// parseQuoted parses a list of quoted operands separated by sep, as
// PostgreSQL's tsvector and tsquery input reads them (gettoken_tsvector):
// an operand is between single quotes, inside which a doubled quote stands
// for one and a backslash makes the next character literal. Anything else
// (an unquoted operand, an unterminated quote, other separators, a weight
// or prefix suffix) is an error: the builders write nothing else.
func parseQuoted(s, sep string) ([]string, error) {
	if s == "" {
		return nil, nil
	}
	var out []string
	for {
		if s == "" || s[0] != '\'' {
			return nil, fmt.Errorf("operand %d does not start with a quote", len(out))
		}
		var b strings.Builder
		i, closed := 1, false
		for i < len(s) && !closed {
			switch c := s[i]; {
			case c == '\\' && i+1 < len(s):
				b.WriteByte(s[i+1])
				i += 2
			case c == '\\':
				return nil, errors.New("backslash at the end")
			case c == '\'' && i+1 < len(s) && s[i+1] == '\'':
				b.WriteByte('\'')
				i += 2
			case c == '\'':
				closed = true
				i++
			default:
				b.WriteByte(c)
				i++
			}
		}
		if !closed {
			return nil, fmt.Errorf("operand %d is not closed", len(out))
		}
		out = append(out, b.String())
		s = s[i:]
		if s == "" {
			return out, nil
		}
		rest, ok := strings.CutPrefix(s, sep)
		if !ok {
			return nil, fmt.Errorf("%q after operand %d, want %q", truncateRunes(s, 10), len(out)-1, sep)
		}
		s = rest
	}
}

// FuzzQuoteLexemes checks that any strings, quotes and backslashes
// included, read back from their quoting as themselves.
func FuzzQuoteLexemes(f *testing.F) {
	for _, s := range []string{"a", "'", `\`, `''`, `\'`, `'\`, "a b", "x:1", "a&b|!c", "'a':*", "парламент"} {
		f.Add(s, s+"x")
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		for _, sep := range []string{" ", " & "} {
			lit := quoteLexemes([]string{a, b}, sep)
			got, err := parseQuoted(lit, sep)
			if err != nil || !slices.Equal(got, []string{a, b}) {
				t.Errorf("quoteLexemes(%q, %q) = %s, read back as %q, %v", a, b, lit, got, err)
			}
		}
	})
}

// FuzzSearchQueries checks that any query gives well-formed tsquery
// literals: quoted lexemes joined by &, within the bounds of one literal,
// which are together the lexemes of the query's words.
func FuzzSearchQueries(f *testing.F) {
	for _, s := range []string{"budget", `'`, `\`, `&|!():*`, `'a' & 'b'`, "a:* | !b", "Путин Кремль", "ΣΟΦΟΣ", "İstanbul",
		"e\u0301tude", "\u0301", strings.Repeat("x", 3000), "!!!", "\x00", "\xff", "don't"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		var all []string
		for _, lit := range searchQueries(q) {
			lexemes, err := parseQuoted(lit, " & ")
			if err != nil {
				t.Fatalf("searchQueries(%q) gave %s: %v", q, lit, err)
			}
			size := 0
			for _, l := range lexemes {
				size += len(l) + 1
				if l == "" || len(l) > maxLexemeBytes || !utf8.ValidString(l) || strings.IndexByte(l, 0) >= 0 {
					t.Errorf("searchQueries(%q): lexeme %q", q, l)
				}
			}
			if len(lexemes) == 0 || len(lexemes) > maxQueryLexemes || size > maxQueryBytes {
				t.Errorf("searchQueries(%q): a literal of %d lexemes, %d bytes", q, len(lexemes), size)
			}
			all = append(all, lexemes...)
		}
		if want := pgLexemes(q, len(q)); !slices.Equal(all, want) && !(len(all) == 0 && len(want) == 0) {
			t.Errorf("searchQueries(%q) holds %q, want %q", q, all, want)
		}
	})
}

// TestSearchQueriesSplit checks the bounds of one tsquery literal: lexemes,
// and bytes of operands.
func TestSearchQueriesSplit(t *testing.T) {
	var many, long []string
	for i := range 2500 {
		many = append(many, fmt.Sprintf("w%05d", i))
	}
	for i := range 200 {
		long = append(long, strings.Repeat("y", maxLexemeBytes-4)+fmt.Sprintf("%04d", i))
	}
	for _, c := range []struct {
		words []string
		want  []int // lexemes per literal
	}{
		{many, []int{1000, 1000, 500}},
		{long, []int{128, 72}}, // 128 lexemes of 2,046 bytes and their NULs fill 256 KiB
	} {
		var got []int
		for _, lit := range searchQueries(strings.Join(c.words, " ")) {
			got = append(got, strings.Count(lit, " & ")+1)
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%d words in literals of %v lexemes, want %v", len(c.words), got, c.want)
		}
	}
}

// TestPGWorstCaseVector stores the article whose lexemes are the longest
// possible: SearchChars code points of distinct words of 4-byte letters
// (Deseret capitals, whose lowercase letters are 4 bytes too).
func TestPGWorstCaseVector(t *testing.T) {
	var b strings.Builder
	for i := 0; b.Len() < SearchChars*utf8.UTFMax; i++ {
		for k, n := 0, i; k < 4; k, n = k+1, n/40 {
			b.WriteRune(0x10400 + rune(n%40))
		}
		b.WriteByte(' ')
	}
	size := 0
	for _, l := range pgLexemes(b.String(), SearchChars) {
		size += len(l)
	}
	if size < maxVectorBytes/4 || size > maxVectorBytes {
		t.Fatalf("%d bytes of lexemes: not the worst case, or more than a tsvector holds (%d)", size, maxVectorBytes)
	}
	s, _ := openPostgresTest(t)
	mustPut(t, s, rec("worst", "", "", "", "", nil, nil, b.String()))
	var n int
	if err := s.db.QueryRowContext(ctxT(t), `SELECT length(tsv) FROM articles`).Scan(&n); err != nil || n != SearchChars/5 {
		t.Errorf("%d lexemes stored (%v), want %d", n, err, SearchChars/5)
	}
}

// pgDB returns a connection pool to a fresh schema of the test PostgreSQL
// server, or skips t without one.
func pgDB(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sql.Open("pgx", pgtest.DSN(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// lexemeDiff is how the lexemes of one text differ between Go and
// to_tsvector.
type lexemeDiff struct {
	text           int
	onlyPG, onlyGo string // space-separated lexemes
	readBack       bool   // the server writes the literal back as it is
}

// lexemeDiffs compares, for each text, the lexemes of searchVector(text)
// with those of strip(to_tsvector('simple', searchText(text))) on the
// server, and checks that the server reads the literal back as the very
// same text (the same lexemes, in the same order, quoted the same way).
func lexemeDiffs(t *testing.T, db *sql.DB, texts []string) []lexemeDiff {
	t.Helper()
	const batch = 64
	var diffs []lexemeDiff
	for lo := 0; lo < len(texts); lo += batch {
		chunk := texts[lo:min(lo+batch, len(texts))]
		plain, vectors := make([]string, len(chunk)), make([]string, len(chunk))
		for i, x := range chunk {
			plain[i], vectors[i] = searchText(x), searchVector(x)
		}
		rows, err := db.QueryContext(ctxT(t), `SELECT u.i,
				array_to_string(array(SELECT unnest(tsvector_to_array(strip(to_tsvector('simple', u.s))))
					EXCEPT SELECT unnest(tsvector_to_array(u.v::tsvector)) ORDER BY 1), ' '),
				array_to_string(array(SELECT unnest(tsvector_to_array(u.v::tsvector))
					EXCEPT SELECT unnest(tsvector_to_array(strip(to_tsvector('simple', u.s)))) ORDER BY 1), ' '),
				u.v::tsvector::text = u.v
			FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS u(s, v, i)`, plain, vectors)
		if err != nil {
			t.Fatalf("compare lexemes: %v", err)
		}
		for rows.Next() {
			d := lexemeDiff{}
			if err := rows.Scan(&d.text, &d.onlyPG, &d.onlyGo, &d.readBack); err != nil {
				t.Fatal(err)
			}
			d.text += lo - 1
			if d.onlyPG != "" || d.onlyGo != "" || !d.readBack {
				diffs = append(diffs, d)
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
	}
	return diffs
}

// needUTF8Ctype skips t when the server's to_tsvector does not lowercase
// non-ASCII letters (a database whose LC_CTYPE is C or POSIX), where the
// old lexemes differ from Go's by design (see migration 0002).
func needUTF8Ctype(t *testing.T, db *sql.DB) {
	t.Helper()
	var lowers bool
	if err := db.QueryRowContext(ctxT(t), `SELECT to_tsvector('simple', 'ÀΣЖ') = to_tsvector('simple', 'àσж')`).Scan(&lowers); err != nil {
		t.Fatal(err)
	}
	if !lowers {
		t.Skip("the test database's to_tsvector lowercases ASCII only (LC_CTYPE C or POSIX)")
	}
}

// TestPGLexemesMatchToTSVector checks that the literal built in Go has the
// lexemes that to_tsvector('simple', ...) gives the same words (what rows
// written by earlier versions hold), on real articles and odd words.
func TestPGLexemesMatchToTSVector(t *testing.T) {
	db := pgDB(t)
	needUTF8Ctype(t, db)
	texts := realTexts(t, 100)
	odd := append(append(slices.Clone(oddWords), longWords...), strings.Join(oddWords, " "))
	texts = append(texts, odd...)
	known := map[int]bool{}
	for _, w := range append(slices.Clone(markLedWords), growingWord) {
		known[len(texts)] = true
		texts = append(texts, w)
	}
	for _, d := range lexemeDiffs(t, db, texts) {
		msg := fmt.Sprintf("text %d (%q): to_tsvector only %q, Go only %q, read back as is: %v",
			d.text, truncateRunes(texts[d.text], 40), truncateRunes(d.onlyPG, 60), truncateRunes(d.onlyGo, 60), d.readBack)
		if known[d.text] && d.readBack {
			t.Logf("known difference: %s", msg)
		} else {
			t.Error(msg)
		}
	}
	t.Logf("%d texts compared", len(texts))
}

// TestPGQuoting checks that the server reads the quoting of any lexeme
// (words never hold quotes, backslashes, colons or spaces, but the
// quoting does not rely on it) in both types, and writes it back as is.
func TestPGQuoting(t *testing.T) {
	db := pgDB(t)
	lexemes := []string{"'", "''", `\`, `\\`, `\'`, `a'b\c`, "x:1", "a b", "a&b", "|", "!", "(", ")", ":*", "парламент", "σοφός", "東京"}
	slices.Sort(lexemes)
	for _, c := range []struct{ typ, sep string }{{"tsvector", " "}, {"tsquery", " & "}} {
		lit := quoteLexemes(lexemes, c.sep)
		var back string
		if err := db.QueryRowContext(ctxT(t), `SELECT $1::`+c.typ+`::text`, lit).Scan(&back); err != nil {
			t.Fatalf("%s %s: %v", c.typ, lit, err)
		}
		if back != lit {
			t.Errorf("%s %s read back as %s", c.typ, lit, back)
		}
	}
}

// TestPGSearchQueries runs nasty queries through List and searchQueries on
// the server: every literal is accepted, reads back as written, and matches
// the words of the query indexed by to_tsvector as well as by Go.
func TestPGSearchQueries(t *testing.T) {
	s, _ := openPostgresTest(t)
	db := s.db
	needUTF8Ctype(t, db)
	mustPut(t, s, fullTextRecords()...)
	queries := []string{`'`, `\`, `''`, `\'`, `&|!():*`, `a:* & !b | (c <-> d)`, "Путин КРЕМЛЬ", "ΣΟΦΟΣ σοφός", "İstanbul",
		"e\u0301tude", "\u0301", "❤\uFE0F", strings.Repeat("x", 3000), strings.Repeat("y", 3000) + " budget", "!!!", "\x00", "\xff",
		"don't", "l'État", `C:\dir\file`, "1e5 0x1F", "東京 大阪", "ＡＢＣ"}
	queries = append(queries, oddWords...)
	for _, q := range queries {
		if _, err := s.List(ctxT(t), Filter{Query: q}); err != nil {
			t.Errorf("List(Query %q): %v", q, err)
		}
		lits := searchQueries(q)
		if len(lits) > 1 {
			t.Fatalf("query %q gave %d literals", q, len(lits))
		}
		if len(lits) == 0 {
			if len(pgLexemes(q, len(q))) > 0 {
				t.Errorf("query %q gave no literal", q)
			}
			continue
		}
		var back string
		var matchOld, matchNew bool
		err := db.QueryRowContext(ctxT(t), `SELECT $1::tsquery::text,
				strip(to_tsvector('simple', $2)) @@ $1::tsquery, $3::tsvector @@ $1::tsquery`,
			lits[0], searchText(q), searchVector(q)).Scan(&back, &matchOld, &matchNew)
		if err != nil {
			t.Errorf("query %q: literal %s: %v", q, truncateRunes(lits[0], 60), err)
			continue
		}
		if back != lits[0] {
			t.Errorf("query %q: literal %s read back as %s", q, lits[0], back)
		}
		if !matchNew || !matchOld && !slices.Contains(markLedWords, q) {
			t.Errorf("query %q does not match its own words: to_tsvector %v, Go %v", q, matchOld, matchNew)
		}
	}
}

// TestPGLongQuery checks that a query of more words than one tsquery
// literal holds is split and still requires every word, and that a query
// whose chain of & would exceed the server's stack depth works.
func TestPGLongQuery(t *testing.T) {
	s, _ := openPostgresTest(t)
	var words []string
	for i := range 60000 {
		words = append(words, fmt.Sprintf("w%05d", i))
	}
	const n = 2500 // words indexed, fewer than SearchChars
	mustPut(t, s, rec("all", "en", "", "", "", nil, nil, strings.Join(words[:n], " ")),
		rec("most", "en", "", "", "", nil, nil, strings.Join(words[1:n], " ")))
	for _, c := range []struct {
		words int
		want  []string
	}{{n, []string{"all"}}, {len(words), []string{}}} {
		p, err := s.List(ctxT(t), Filter{Query: strings.Join(words[:c.words], " ")})
		if err != nil {
			t.Fatalf("a query of %d words: %v", c.words, err)
		}
		if !slices.Equal(ids(p), c.want) {
			t.Errorf("a query of %d words matched %v, want %v", c.words, ids(p), c.want)
		}
	}
}

// searchCases are full-text queries in mixed case, with accents, and in
// other scripts, for the corpus of fullTextRecords.
var searchCases = []string{
	"budget", "BUDGET", "Budget Parliament", "parliament", "PARLIAMENT budget", "voted", "VOTÉ", "voté", "vote",
	"l'État", "ÉTAT", "état", "etat", "Le", "président", "PRÉSIDENT", "Парламент", "парламент", "ПАРЛАМЕНТ БЮДЖЕТ", "бюджет",
	"Βουλή", "ΒΟΥΛΉ", "βουλή ψήφισε", "προϋπολογισμό", "ΠΡΟΫΠΟΛΟΓΙΣΜΌ", "პარლამენტმა", "東京", "café", "CAFÉ", "HÔTEL",
	"crème", "Crème Café", "don't", "nowhere", "Straße", "STRASSE", "İstanbul", "ISTANBUL", "istanbul", "ΣΟΦΟΣ", "σοφοσ", "σοφός",
	"e\u0301tude", "étude", "drill NOT", "AND OR",
}

// fullTextRecords are corpusSet and a few more articles for the search
// cases.
func fullTextRecords() []Record {
	return append(corpusSet(),
		rec("q1", "en", "", "", "opinion", nil, nil, `He said "don't panic" -- NOT a drill; AND/OR (maybe) col:val *star* ^caret NEAR(x y)`),
		rec("q2", "fr", "", "", "opinion", nil, nil, "Un café crème à l'hôtel, s'il vous plaît. Une e\u0301tude."),
		rec("q3", "ja", "", "", "opinion", nil, nil, "東京 大阪 日本語"),
		rec("q4", "de", "", "", "opinion", nil, nil, "Die Straße in İstanbul: ΣΟΦΟΣ"),
		rec("q5", "tr", "", "", "opinion", nil, nil, "ISTANBUL istanbul σοφός"),
	)
}

// TestPGSearchAsBefore checks that searches find what they found when the
// server built the lexemes (to_tsvector) and the query (plainto_tsquery),
// on rows written now and on rows as earlier versions wrote them.
func TestPGSearchAsBefore(t *testing.T) {
	s, _ := openPostgresTest(t)
	needUTF8Ctype(t, s.db)
	ctx := ctxT(t)
	recs := fullTextRecords()
	mustPut(t, s, recs...)
	// Before: the server's lexemes and query, in a table of their own.
	if _, err := s.db.ExecContext(ctx, `CREATE TABLE before (id text, tsv tsvector)`); err != nil {
		t.Fatal(err)
	}
	idList, plain := make([]string, len(recs)), make([]string, len(recs))
	for i, r := range recs {
		idList[i], plain[i] = r.ID, searchText(r.Text)
	}
	if _, err := s.db.ExecContext(ctx, `INSERT INTO before SELECT u.id, strip(to_tsvector('simple', u.s))
		FROM unnest($1::text[], $2::text[]) AS u(id, s)`, idList, plain); err != nil {
		t.Fatal(err)
	}
	before := func(q string) []string {
		t.Helper()
		rows, err := s.db.QueryContext(ctx, `SELECT id FROM before WHERE tsv @@ plainto_tsquery('simple', $1) ORDER BY id`, strings.Join(searchTerms(q), " "))
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		got := []string{}
		for rows.Next() {
			var id string
			rows.Scan(&id)
			got = append(got, id)
		}
		return got
	}
	now := func(q string) []string {
		t.Helper()
		p, err := s.List(ctx, Filter{Query: q, Limit: MaxLimit})
		if err != nil {
			t.Fatalf("List(Query %q): %v", q, err)
		}
		got := ids(p)
		slices.Sort(got)
		return got
	}
	found := 0
	for _, q := range searchCases {
		want := before(q)
		found += len(want)
		if got := now(q); !slices.Equal(got, want) {
			t.Errorf("query %q: found %v, before %v", q, got, want)
		}
	}
	if found == 0 {
		t.Fatal("no query found anything")
	}
	// Rows as earlier versions wrote them.
	if _, err := s.db.ExecContext(ctx, `UPDATE articles a SET tsv = b.tsv FROM before b WHERE a.id = b.id`); err != nil {
		t.Fatal(err)
	}
	for _, q := range searchCases {
		if got, want := now(q), before(q); !slices.Equal(got, want) {
			t.Errorf("query %q on old rows: found %v, before %v", q, got, want)
		}
	}
	// Migration 0002 leaves them as they are.
	ms, err := migrations(BackendPostgres)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.ExecContext(ctx, ms[1].sql); err != nil {
		t.Fatalf("migration 0002: %v", err)
	}
	var changed int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM articles a JOIN before b USING (id) WHERE a.tsv <> b.tsv`).Scan(&changed); err != nil || changed != 0 {
		t.Errorf("migration 0002 changed %d old rows (%v), want none", changed, err)
	}
}

// TestPGLowercaseMigration checks migration 0002 on a database whose
// LC_CTYPE is C, where old rows hold non-ASCII words as written: once
// migrated, they hold every lexeme Go gives (so every query built in Go
// finds them), with either way of lowercasing the migration has.
func TestPGLowercaseMigration(t *testing.T) {
	dsn := pgtest.DSN(t) // skips without a server
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() }) // after the database is dropped
	ctx := ctxT(t)
	name := "rhetor_test_ctype_c_" + strings.TrimPrefix(schemaOf(t, dsn), "rhetor_test_")
	if _, err := admin.ExecContext(ctx, `CREATE DATABASE `+name+` TEMPLATE template0 ENCODING 'UTF8' LC_CTYPE 'C' LC_COLLATE 'C'`); err != nil {
		t.Skipf("cannot create a database with LC_CTYPE C: %v", err)
	}
	t.Cleanup(func() {
		if _, err := admin.ExecContext(context.Background(), `DROP DATABASE `+name+` WITH (FORCE)`); err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
	})
	u, _ := url.Parse(dsn)
	u.Path = "/" + name
	q := u.Query()
	q.Del("search_path")
	u.RawQuery = q.Encode()
	s, err := Open(ctx, u.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() }) // before the database is dropped

	recs := fullTextRecords()
	for i, x := range realTexts(t, 10) {
		recs = append(recs, rec(fmt.Sprintf("real%03d", i), "", "", "", "", nil, nil, x))
	}
	mustPut(t, s, recs...)
	idList, plain := make([]string, len(recs)), make([]string, len(recs))
	for i, r := range recs {
		idList[i], plain[i] = r.ID, searchText(r.Text)
	}
	search := func() map[string][]string {
		found := map[string][]string{}
		for _, q := range searchCases {
			p, err := s.List(ctx, Filter{Query: q, Limit: MaxLimit})
			if err != nil {
				t.Fatalf("List(Query %q): %v", q, err)
			}
			found[q] = ids(p)
		}
		return found
	}
	want := search() // rows written now
	ms, err := migrations(BackendPostgres)
	if err != nil {
		t.Fatal(err)
	}
	migration := ms[1].sql
	fallback, err := translateStatement(migration)
	if err != nil {
		t.Fatal(err)
	}
	for _, how := range []struct{ name, sql string }{{"collation", migration}, {"translate", fallback}} {
		res, err := s.db.ExecContext(ctx, `UPDATE articles a SET tsv = strip(to_tsvector('simple', u.s))
			FROM unnest($1::text[], $2::text[]) AS u(id, s) WHERE a.id = u.id AND a.tsv <> strip(to_tsvector('simple', u.s))`, idList, plain)
		if err != nil {
			t.Fatal(err)
		}
		if n, _ := res.RowsAffected(); n < int64(len(recs))/2 {
			t.Fatalf("only %d of %d rows differ with to_tsvector under LC_CTYPE C", n, len(recs))
		}
		if _, err := s.db.ExecContext(ctx, how.sql); err != nil {
			t.Fatalf("%s: %v", how.name, err)
		}
		for _, r := range recs {
			have := rowLexemes(t, s.db, r.ID)
			var lacks []string
			for _, l := range pgLexemes(r.Text, SearchChars) {
				if !have[l] {
					lacks = append(lacks, l)
				}
			}
			if len(lacks) > 0 {
				t.Errorf("%s after the migration (%s) lacks %d lexemes of Go's, such as %q", r.ID, how.name, len(lacks), lacks[:min(5, len(lacks))])
			}
		}
		got := search()
		for _, q := range searchCases {
			if !slices.Equal(got[q], want[q]) {
				t.Errorf("query %q found %v after the migration (%s), %v on rows written now", q, got[q], how.name, want[q])
			}
		}
	}
}

// rowLexemes returns the lexemes of article id's tsv.
func rowLexemes(t *testing.T, db *sql.DB, id string) map[string]bool {
	t.Helper()
	rows, err := db.QueryContext(ctxT(t), `SELECT unnest(tsvector_to_array(tsv)) FROM articles WHERE id = $1`, id)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	have := map[string]bool{}
	for rows.Next() {
		var l string
		if err := rows.Scan(&l); err != nil {
			t.Fatal(err)
		}
		have[l] = true
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return have
}

// schemaOf returns the schema that a pgtest DSN's search_path names.
func schemaOf(t *testing.T, dsn string) string {
	t.Helper()
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query().Get("search_path")
}

// translateStatement returns the UPDATE of migration 0002 that lowercases
// with translate(), its way for servers without a suitable collation.
func translateStatement(migration string) (string, error) {
	i := strings.Index(migration, "translate(")
	if i < 0 {
		return "", errors.New("migration 0002 has no translate()")
	}
	start := strings.LastIndex(migration[:i], "UPDATE ")
	end := strings.Index(migration[i:], ";")
	if start < 0 || end < 0 {
		return "", errors.New("migration 0002: no UPDATE around translate()")
	}
	return migration[start : i+end], nil
}

// TestLowercaseMigrationPairs checks the letters that migration 0002 gives
// translate(): each maps to its unicode.ToLower, and (with Go's Unicode
// 15.0 tables, those the migration was written from) every letter that
// unicode.ToLower changes is there.
func TestLowercaseMigrationPairs(t *testing.T) {
	ms, err := migrations(BackendPostgres)
	if err != nil {
		t.Fatal(err)
	}
	stmt, err := translateStatement(ms[1].sql)
	if err != nil {
		t.Fatal(err)
	}
	upperAt, lowerAt := strings.Index(stmt, "-- upper"), strings.Index(stmt, "-- lower")
	if upperAt < 0 || lowerAt < upperAt {
		t.Fatal("migration 0002: no -- upper and -- lower sections")
	}
	literals := func(s string) []rune {
		var rs []rune
		for _, m := range regexp.MustCompile(`'([^']*)'`).FindAllStringSubmatch(s, -1) {
			rs = append(rs, []rune(m[1])...)
		}
		return rs
	}
	upper, lower := literals(stmt[upperAt:lowerAt]), literals(stmt[lowerAt:])
	if len(upper) != len(lower) || len(upper) < 1000 {
		t.Fatalf("%d upper and %d lower letters", len(upper), len(lower))
	}
	in := map[rune]bool{}
	for i, r := range upper {
		if unicode.ToLower(r) != lower[i] || in[r] {
			t.Errorf("pair %d: %c → %c, unicode.ToLower gives %c (repeated: %v)", i, r, lower[i], unicode.ToLower(r), in[r])
		}
		in[r] = true
	}
	if unicode.Version != "15.0.0" {
		t.Skipf("Go's Unicode is %s: the migration has the letters of 15.0.0", unicode.Version)
	}
	for r := rune(utf8.RuneSelf); r <= unicode.MaxRune; r++ {
		if text.IsWordRune(r) && unicode.ToLower(r) != r && !in[r] {
			t.Errorf("%c (%U) is not in the migration", r, r)
		}
	}
}

// BenchmarkSearchIndexInput builds the full-text index input for real
// articles: PostgreSQL's tsvector literal and SQLite's word list.
func BenchmarkSearchIndexInput(b *testing.B) {
	texts := realTexts(b, 200)
	for _, c := range []struct {
		name  string
		build func(string) string
	}{{"postgres", searchVector}, {"sqlite", searchText}} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				for _, t := range texts {
					c.build(t)
				}
			}
		})
	}
}
