package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"rhetor/story"
)

// Stories: the articles of the store grouped by the event they report
// (package story). Every write (Put, PutMany: import, the API, the
// workers) groups its articles in its own transaction: each article's
// signals are stored in story_keys, the articles sharing its rarer signals
// are scored with the signals' current document frequencies, and it joins
// the story of the most similar one (above story.Options.Threshold, within
// the date window) or starts its own. RebuildStories groups the whole
// store again in one pass, with the final frequencies, and applies the
// users' corrections (MergeStories, SplitArticle) again, in order.

// ErrStoryNotFound is returned for a story id no article belongs to.
var ErrStoryNotFound = errors.New("story not found")

// ErrInvalidCorrection is wrapped by MergeStories for a merge that cannot
// be made (a story with itself).
var ErrInvalidCorrection = errors.New("invalid correction")

// storyCandidates bounds the articles whose similarity a new article's
// grouping computes in full (the best by the partial dot product).
const storyCandidates = 200

// storyDFCap bounds the count of a key's articles when a new article is
// grouped: a key held by storyDFCap articles or more is taken as too
// common to count (weight 0), as story.IDF drops keys held by more than
// story.Options.MaxShare of the articles.
const storyDFCap = 1000

// storyProposers bounds the keys of a new article whose posting lists
// propose candidates: its heaviest ones.
const storyProposers = 24

// storyKeyRows bounds the rows of one multi-row insert into story_keys.
const storyKeyRows = 250

// regroupMax is the size up to which a store is grouped again whole (from
// its stored signals, as a rebuild groups it) at every write: grouping one
// article after another is coarse while a store holds few articles (the
// signal frequencies say little yet), and regrouping a small store is
// cheap. Larger stores group each new article incrementally.
const regroupMax = 200

// groupTx groups the articles of ws, written in tx: by regrouping a small
// store whole, or one after the other.
func (s *Store) groupTx(ctx context.Context, tx *sql.Tx, ws []prepared) error {
	opt := story.DefaultOptions()
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM story_members`).Scan(&n); err != nil {
		return fmt.Errorf("group: %w", err)
	}
	limit := regroupMax
	if s.regroupLimit != 0 {
		limit = s.regroupLimit
	}
	if s.pg && n+len(ws) <= limit {
		// Concurrent writers regroup one after the other (each rewrites
		// all of story_members), each seeing what the others committed.
		// The lock is the schema's: advisory locks are database-wide, and
		// stores in other schemas of the database must not wait for it.
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtext('rhetor stories ' || current_schema()))`); err != nil {
			return fmt.Errorf("group: lock: %w", err)
		}
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM story_members`).Scan(&n); err != nil {
			return fmt.Errorf("group: %w", err)
		}
	}
	if n+len(ws) <= limit {
		extra := make([]story.Doc, len(ws))
		for i, w := range ws {
			for _, q := range []string{`DELETE FROM story_members WHERE article_id = ?`, `DELETE FROM story_keys WHERE article_id = ?`} {
				if _, err := tx.ExecContext(ctx, s.q(q), w.rec.ID); err != nil {
					return fmt.Errorf("group %s: %w", w.rec.ID, err)
				}
			}
			if err := s.insertKeys(ctx, tx, w.rec.ID, w.keys); err != nil {
				return fmt.Errorf("group %s: %w", w.rec.ID, err)
			}
			extra[i] = story.Doc{ID: w.rec.ID, Date: w.rec.Date, Keys: w.keys}
		}
		docs, err := s.storedDocs(ctx, tx, extra)
		if err != nil {
			return fmt.Errorf("group: %w", err)
		}
		if _, err := s.regroup(ctx, tx, opt, docs); err != nil {
			return fmt.Errorf("group: %w", err)
		}
		return nil
	}
	for _, w := range ws {
		if err := s.groupOne(ctx, tx, opt, w.rec.ID, w.rec.Date, w.keys); err != nil {
			return fmt.Errorf("group %s: %w", w.rec.ID, err)
		}
	}
	return nil
}

// groupOne (re)groups one stored article with the given signals.
func (s *Store) groupOne(ctx context.Context, tx *sql.Tx, opt story.Options, id, date string, keys []story.Key) error {
	var old string
	err := tx.QueryRowContext(ctx, s.q(`SELECT story FROM story_members WHERE article_id = ?`), id).Scan(&old)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return err
	default:
		if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM story_members WHERE article_id = ?`), id); err != nil {
			return err
		}
		if old == id {
			// The story was named after this article: the others keep
			// a name of their own.
			if err := s.renameStory(ctx, tx, id); err != nil {
				return err
			}
		}
	}
	if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM story_keys WHERE article_id = ?`), id); err != nil {
		return err
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM story_members`).Scan(&n); err != nil {
		return err
	}
	n++ // this article
	df, err := s.frequencies(ctx, tx, keys)
	if err != nil {
		return err
	}
	idf := func(i int) float64 {
		if df[i] >= storyDFCap {
			return 0
		}
		return story.IDF(df[i]+1, n, opt.MaxShare)
	}
	ws, norm := story.Weights(keys, idf, opt.MaxKeys)
	target := id
	var split bool
	if err := tx.QueryRowContext(ctx, s.q(`SELECT COUNT(*) > 0 FROM story_corrections WHERE kind = 'split' AND article_id = ?`), id).Scan(&split); err != nil {
		return err
	}
	if !split && norm > 0 {
		best, err := s.bestMatch(ctx, tx, opt, date, keys, ws, df, n, norm)
		if err != nil {
			return err
		}
		if best != "" {
			target = best
		}
	}
	if err := s.insertKeys(ctx, tx, id, keys); err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, s.q(`INSERT INTO story_members (article_id, story, norm2) VALUES (?, ?, ?)`), id, target, norm*norm)
	return err
}

// frequencies returns, per key, the number of stored articles holding it,
// counted up to storyDFCap (a key held by more counts storyDFCap), so that
// counting the commonest keys of a large store stays cheap.
func (s *Store) frequencies(ctx context.Context, tx *sql.Tx, keys []story.Key) ([]int, error) {
	df := make([]int, len(keys))
	if len(keys) == 0 {
		return df, nil
	}
	index := make(map[string]int, len(keys))
	args := make([]any, len(keys))
	for i, k := range keys {
		index[k.Term] = i
		args[i] = k.Term
	}
	values := strings.TrimSuffix(strings.Repeat("(?), ", len(keys)), ", ")
	rows, err := tx.QueryContext(ctx, s.q(`WITH q (k) AS (VALUES `+values+`)
		SELECT q.k, (SELECT COUNT(*) FROM (SELECT 1 FROM story_keys s WHERE s.key = q.k LIMIT `+strconv.Itoa(storyDFCap)+`) c) FROM q`), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var key string
		var c int
		if err := rows.Scan(&key, &c); err != nil {
			return nil, err
		}
		if i, ok := index[key]; ok {
			df[i] = c
		}
	}
	return df, rows.Err()
}

// bestMatch returns the story whose articles score best with the new
// one (ws: its weights, norm their norm), as story.Group scores them, or
// "" when none reaches the threshold within the date window. The squared
// norm kept for each article counts the signals it shared when grouped;
// the holder of a signal the new article is the first to share gets that
// signal's weight added to its norm here.
func (s *Store) bestMatch(ctx context.Context, tx *sql.Tx, opt story.Options, date string, keys []story.Key, ws []float64, df []int, n int, norm float64) (string, error) {
	var proposers []int
	for i := range keys {
		if ws[i] != 0 && df[i] != 0 && df[i] <= opt.MaxPostings {
			proposers = append(proposers, i)
		}
	}
	sort.SliceStable(proposers, func(a, b int) bool { return ws[proposers[a]] > ws[proposers[b]] })
	if len(proposers) > storyProposers {
		proposers = proposers[:storyProposers]
	}
	var args []any
	weight := map[string]float64{} // the new article's weight, per proposing key
	idf := map[string]float64{}
	first := map[string]bool{} // keys held by one stored article so far
	for _, i := range proposers {
		k := keys[i]
		args = append(args, k.Term)
		weight[k.Term] = ws[i]
		idf[k.Term] = story.IDF(df[i]+1, n, opt.MaxShare)
		first[k.Term] = df[i] == 1
	}
	if len(args) == 0 {
		return "", nil
	}
	rows, err := tx.QueryContext(ctx, s.q(`SELECT article_id, key, weight FROM story_keys WHERE key IN (`+placeholders(len(args))+`)`), args...)
	if err != nil {
		return "", err
	}
	dot := map[string]float64{}
	extra := map[string]float64{} // squared norm gained by holders of first-shared keys
	for rows.Next() {
		var aid, key string
		var w float64
		if err := rows.Scan(&aid, &key, &w); err != nil {
			rows.Close()
			return "", err
		}
		wp := w * idf[key]
		dot[aid] += weight[key] * wp
		if first[key] {
			extra[aid] += wp * wp
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return "", err
	}
	holders := make([]string, 0, len(extra))
	for aid := range extra {
		holders = append(holders, aid)
	}
	sort.Strings(holders)
	for _, aid := range holders {
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE story_members SET norm2 = norm2 + ? WHERE article_id = ?`), extra[aid], aid); err != nil {
			return "", err
		}
	}
	cands := make([]string, 0, len(dot))
	for aid := range dot {
		cands = append(cands, aid)
	}
	if len(cands) > storyCandidates {
		slices.SortFunc(cands, func(a, b string) int {
			if c := cmp.Compare(dot[b], dot[a]); c != 0 {
				return c
			}
			return strings.Compare(a, b)
		})
		cands = cands[:storyCandidates]
	}
	if len(cands) == 0 {
		return "", nil
	}
	cargs := stringArgs(cands)
	rows, err = tx.QueryContext(ctx, s.q(`SELECT m.article_id, m.story, m.norm2, a.date FROM story_members m
		JOIN articles a ON a.id = m.article_id WHERE m.article_id IN (`+placeholders(len(cargs))+`)`), cargs...)
	if err != nil {
		return "", err
	}
	day, dated := story.Day(date)
	maxSim, sumSim := map[string]float64{}, map[string]float64{}
	for rows.Next() {
		var aid, st, adate string
		var anorm2 float64
		if err := rows.Scan(&aid, &st, &anorm2, &adate); err != nil {
			rows.Close()
			return "", err
		}
		if anorm2 <= 0 {
			continue
		}
		if d, ok := story.Day(adate); ok && dated && abs(d-day) > opt.WindowDays {
			continue
		}
		sim := dot[aid] / (norm * math.Sqrt(anorm2))
		sumSim[st] += sim
		maxSim[st] = max(maxSim[st], sim)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return "", err
	}
	if len(maxSim) == 0 {
		return "", nil
	}
	sargs := make([]any, 0, len(maxSim))
	for st := range maxSim {
		sargs = append(sargs, st)
	}
	rows, err = tx.QueryContext(ctx, s.q(`SELECT story, COUNT(*) FROM story_members
		WHERE story IN (`+placeholders(len(sargs))+`) GROUP BY story`), sargs...)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	best, bestScore := "", 0.0
	for rows.Next() {
		var st string
		var size int
		if err := rows.Scan(&st, &size); err != nil {
			return "", err
		}
		score := (maxSim[st] + sumSim[st]/float64(size)) / 2
		if score > bestScore || score == bestScore && st < best {
			best, bestScore = st, score
		}
	}
	if err := rows.Err(); err != nil {
		return "", err
	}
	if bestScore < opt.Threshold {
		return "", nil
	}
	return best, nil
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// insertKeys stores the signals of article id.
func (s *Store) insertKeys(ctx context.Context, tx *sql.Tx, id string, keys []story.Key) error {
	for lo := 0; lo < len(keys); lo += storyKeyRows {
		chunk := keys[lo:min(len(keys), lo+storyKeyRows)]
		args := make([]any, 0, 3*len(chunk))
		for _, k := range chunk {
			args = append(args, k.Term, id, k.Weight)
		}
		values := strings.TrimSuffix(strings.Repeat("(?, ?, ?), ", len(chunk)), ", ")
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO story_keys (key, article_id, weight) VALUES `+values), args...); err != nil {
			return err
		}
	}
	return nil
}

// renameStory gives the articles of story id (which no longer holds
// article id) the id of their first article in date order.
func (s *Store) renameStory(ctx context.Context, tx *sql.Tx, id string) error {
	rows, err := tx.QueryContext(ctx, s.q(`SELECT m.article_id, a.date FROM story_members m JOIN articles a ON a.id = m.article_id
		WHERE m.story = ? AND m.article_id <> ?`), id, id)
	if err != nil {
		return err
	}
	var first story.Doc
	found := false
	for rows.Next() {
		var d story.Doc
		if err := rows.Scan(&d.ID, &d.Date); err != nil {
			rows.Close()
			return err
		}
		if !found || story.Less(d, first) {
			first, found = d, true
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil || !found {
		return err
	}
	_, err = tx.ExecContext(ctx, s.q(`UPDATE story_members SET story = ? WHERE story = ? AND article_id <> ?`), first.ID, id, id)
	return err
}

// MergeStories puts the articles of story b into story a (both story ids)
// and records the correction, which rebuilds apply again.
func (s *Store) MergeStories(ctx context.Context, a, b string) error {
	if a == b {
		return fmt.Errorf("merge stories: %w: a story cannot be merged with itself (%q)", ErrInvalidCorrection, a)
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		for _, id := range []string{a, b} {
			if ok, err := s.storyExists(ctx, tx, id); err != nil {
				return err
			} else if !ok {
				return fmt.Errorf("%w: %q", ErrStoryNotFound, id)
			}
		}
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE story_members SET story = ? WHERE story = ?`), a, b); err != nil {
			return err
		}
		return s.addCorrection(ctx, tx, "merge", a, b)
	})
	if err != nil {
		return fmt.Errorf("merge stories %s and %s: %w", a, b, err)
	}
	return nil
}

// SplitArticle takes an article out of its story into a story of its own
// (named after it) and records the correction, which rebuilds apply
// again; the article stays apart when it is stored again.
func (s *Store) SplitArticle(ctx context.Context, id string) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var st string
		err := tx.QueryRowContext(ctx, s.q(`SELECT story FROM story_members WHERE article_id = ?`), id).Scan(&st)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if st == id {
			if err := s.renameStory(ctx, tx, id); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE story_members SET story = ? WHERE article_id = ?`), id, id); err != nil {
			return err
		}
		return s.addCorrection(ctx, tx, "split", id, "")
	})
	if err != nil {
		return fmt.Errorf("split article %s: %w", id, err)
	}
	return nil
}

func (s *Store) storyExists(ctx context.Context, q queryer, id string) (bool, error) {
	var ok bool
	err := q.QueryRowContext(ctx, s.q(`SELECT COUNT(*) > 0 FROM story_members WHERE story = ?`), id).Scan(&ok)
	return ok, err
}

func (s *Store) addCorrection(ctx context.Context, tx *sql.Tx, kind, a, b string) error {
	_, err := tx.ExecContext(ctx, s.q(`INSERT INTO story_corrections (kind, article_id, other_id, created) VALUES (?, ?, ?, ?)`),
		kind, a, b, time.Now().UTC().Format(time.RFC3339))
	return err
}

// RebuildResult reports a rebuild.
type RebuildResult struct {
	// Articles grouped, stories formed (singletons included), corrections
	// applied (those naming articles no longer stored are skipped).
	Articles, Stories, Corrections int
}

// RebuildStories groups every stored article again (story.Group over the
// whole store, with its final signal frequencies) and applies the recorded
// corrections in order. Stories are named after their first article in
// date order. Articles written while it runs are grouped incrementally at
// its end.
func (s *Store) RebuildStories(ctx context.Context) (RebuildResult, error) {
	var res RebuildResult
	var docs []story.Doc
	err := s.readTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT id, date, text FROM articles ORDER BY id`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var d story.Doc
			var text string
			if err := rows.Scan(&d.ID, &d.Date, &text); err != nil {
				return err
			}
			d.Keys = story.Extract(text)
			docs = append(docs, d)
		}
		return rows.Err()
	})
	if err != nil {
		return res, fmt.Errorf("rebuild stories: read articles: %w", err)
	}
	opt := story.DefaultOptions()
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM story_keys`); err != nil {
			return err
		}
		for _, d := range docs {
			if err := s.insertKeys(ctx, tx, d.ID, d.Keys); err != nil {
				return err
			}
		}
		r, err := s.regroup(ctx, tx, opt, docs)
		if err != nil {
			return err
		}
		res = r
		// Articles stored since they were read.
		late, err := s.ungrouped(ctx, tx)
		if err != nil {
			return err
		}
		for _, d := range late {
			if err := s.groupOne(ctx, tx, opt, d.ID, d.Date, d.Keys); err != nil {
				return fmt.Errorf("group %s: %w", d.ID, err)
			}
		}
		res.Articles += len(late)
		return nil
	})
	if err != nil {
		return RebuildResult{}, fmt.Errorf("rebuild stories: %w", err)
	}
	return res, nil
}

// regroup groups docs (all the grouped articles, with their signals) in
// one pass, applies the recorded corrections, names each story after its
// first article and rewrites story_members.
func (s *Store) regroup(ctx context.Context, tx *sql.Tx, opt story.Options, docs []story.Doc) (RebuildResult, error) {
	group := story.Group(docs, opt)
	label, applied, err := s.applyCorrections(ctx, tx, docs, group)
	if err != nil {
		return RebuildResult{}, err
	}
	names := storyNames(docs, label)
	df := map[string]int{}
	for _, d := range docs {
		for _, k := range d.Keys {
			df[k.Term]++
		}
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM story_members`); err != nil {
		return RebuildResult{}, err
	}
	for lo := 0; lo < len(docs); lo += storyKeyRows {
		chunk := docs[lo:min(len(docs), lo+storyKeyRows)]
		args := make([]any, 0, 3*len(chunk))
		for i, d := range chunk {
			_, norm := story.Weights(d.Keys, func(j int) float64 { return story.IDF(df[d.Keys[j].Term], len(docs), opt.MaxShare) }, opt.MaxKeys)
			args = append(args, d.ID, names[label[lo+i]], norm*norm)
		}
		values := strings.TrimSuffix(strings.Repeat("(?, ?, ?), ", len(chunk)), ", ")
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO story_members (article_id, story, norm2) VALUES `+values), args...); err != nil {
			return RebuildResult{}, err
		}
	}
	return RebuildResult{Articles: len(docs), Stories: len(names), Corrections: applied}, nil
}

// storedDocs returns the grouped articles (those with a story), with their
// stored signals, and the docs of extra (being grouped), in id order.
func (s *Store) storedDocs(ctx context.Context, tx *sql.Tx, extra []story.Doc) ([]story.Doc, error) {
	byID := map[string]*story.Doc{}
	var docs []story.Doc
	rows, err := tx.QueryContext(ctx, `SELECT m.article_id, a.date FROM story_members m JOIN articles a ON a.id = m.article_id`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var d story.Doc
		if err := rows.Scan(&d.ID, &d.Date); err != nil {
			rows.Close()
			return nil, err
		}
		docs = append(docs, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range docs {
		byID[docs[i].ID] = &docs[i]
	}
	rows, err = tx.QueryContext(ctx, `SELECT k.article_id, k.key, k.weight FROM story_keys k
		JOIN story_members m ON m.article_id = k.article_id ORDER BY k.article_id, k.key`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var k story.Key
		if err := rows.Scan(&id, &k.Term, &k.Weight); err != nil {
			return nil, err
		}
		if d := byID[id]; d != nil {
			d.Keys = append(d.Keys, k)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	docs = append(docs, extra...)
	sort.Slice(docs, func(a, b int) bool { return docs[a].ID < docs[b].ID })
	return docs, nil
}

// applyCorrections returns the story label of each doc (group, with the
// recorded merges and splits applied in order) and how many applied.
func (s *Store) applyCorrections(ctx context.Context, tx *sql.Tx, docs []story.Doc, group []int) ([]int, int, error) {
	label := append([]int(nil), group...)
	index := make(map[string]int, len(docs))
	for i, d := range docs {
		index[d.ID] = i
	}
	rows, err := tx.QueryContext(ctx, `SELECT kind, article_id, other_id FROM story_corrections ORDER BY seq`)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	applied := 0
	next := len(docs) // labels for split articles
	for rows.Next() {
		var kind, a, b string
		if err := rows.Scan(&kind, &a, &b); err != nil {
			return nil, 0, err
		}
		ia, okA := index[a]
		switch kind {
		case "split":
			if okA {
				label[ia] = next
				next++
				applied++
			}
		case "merge":
			ib, okB := index[b]
			if okA && okB {
				from, to := label[ib], label[ia]
				for i := range label {
					if label[i] == from {
						label[i] = to
					}
				}
				applied++
			}
		}
	}
	return label, applied, rows.Err()
}

// storyNames returns the name (id of the first article in date order) of
// each story label.
func storyNames(docs []story.Doc, label []int) map[int]string {
	first := map[int]int{}
	for i, d := range docs {
		if j, ok := first[label[i]]; !ok || story.Less(d, docs[j]) {
			first[label[i]] = i
		}
	}
	names := make(map[int]string, len(first))
	for l, i := range first {
		names[l] = docs[i].ID
	}
	return names
}

// ungrouped returns the stored articles that belong to no story, with
// their signals.
func (s *Store) ungrouped(ctx context.Context, q queryer) ([]story.Doc, error) {
	rows, err := q.QueryContext(ctx, `SELECT a.id, a.date, a.text FROM articles a
		WHERE NOT EXISTS (SELECT 1 FROM story_members m WHERE m.article_id = a.id) ORDER BY a.id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var docs []story.Doc
	for rows.Next() {
		var d story.Doc
		var text string
		if err := rows.Scan(&d.ID, &d.Date, &text); err != nil {
			return nil, err
		}
		d.Keys = story.Extract(text)
		docs = append(docs, d)
	}
	return docs, rows.Err()
}

// Ungrouped counts the stored articles that belong to no story (stored
// before the store kept stories): RebuildStories groups them.
func (s *Store) Ungrouped(ctx context.Context) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM articles a
		WHERE NOT EXISTS (SELECT 1 FROM story_members m WHERE m.article_id = a.id)`).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("ungrouped articles: %w", err)
	}
	return n, nil
}

// StoryOf returns the story of an article (ErrNotFound when it is not
// stored or not grouped).
func (s *Store) StoryOf(ctx context.Context, id string) (string, error) {
	var st string
	err := s.db.QueryRowContext(ctx, s.q(`SELECT story FROM story_members WHERE article_id = ?`), id).Scan(&st)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("story of %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("story of %s: %w", id, err)
	}
	return st, nil
}
