package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"sort"
	"unicode/utf8"

	"rhetor/story"
)

// Story is one story: the articles grouped as reporting one event.
type Story struct {
	// ID is the id of the story's first article in date order when it
	// was formed (a rebuild names it anew).
	ID string `json:"id"`
	// Title is the title of its most central article, Central that
	// article's id: the one sharing the most signals with the others.
	Title   string `json:"title"`
	Central string `json:"central"`
	// Size counts its articles.
	Size int `json:"size"`
	// Languages and Sources list the languages and sources of its
	// articles, the most frequent first (then in byte order); articles
	// without a source add none.
	Languages []string `json:"languages"`
	Sources   []string `json:"sources"`
	// From and To are its first and last dates (YYYY-MM-DD), "" when no
	// article is dated.
	From string `json:"from,omitempty"`
	To   string `json:"to,omitempty"`
}

// StoryPage is one page of a story listing.
type StoryPage struct {
	Stories []Story `json:"stories"`
	// Total counts all the stories that match.
	Total  int `json:"total"`
	Limit  int `json:"limit"`
	Offset int `json:"offset"`
}

// StoryDetail is a story with its articles and, per source and language,
// how they told it.
type StoryDetail struct {
	Story    Story     `json:"story"`
	Articles []Summary `json:"articles"`
	Tellings []Telling `json:"tellings"`
}

// Telling is how the articles of one source in one language told a story.
type Telling struct {
	Source string `json:"source"`
	Lang   string `json:"lang"`
	// Articles are the ids of its articles, in date order.
	Articles []string `json:"articles"`
	Words    int      `json:"words"`
	// Genres counts its articles per genre.
	Genres map[string]int `json:"genres"`
	// Frames gives, per frame, the share of its articles with the frame
	// selected (0-1).
	Frames map[string]float64 `json:"frames"`
	// Techniques gives, per technique, the paragraphs it was decided for,
	// per 1,000 words of the articles.
	Techniques map[string]float64 `json:"techniques"`
	// Fragments are the located fragments of its most frequent techniques
	// (up to TellingTechniques techniques, TellingFragments fragments each,
	// distinct texts: those of at most ShortFragment code points first,
	// then by score), which shows what each outlet calls the actors.
	Fragments []StoryFragment `json:"fragments"`
}

// StoryFragment is a located fragment of an article that uses a technique.
type StoryFragment struct {
	Technique string `json:"technique"`
	Text      string `json:"text"`
	Article   string `json:"article"`
	// Start and End are code points of the article's text (end exclusive).
	Start int `json:"start"`
	End   int `json:"end"`
	// Context is the fragment's paragraph, cut to about ContextRunes code
	// points around it ("…" marks a cut).
	Context string  `json:"context"`
	Score   float64 `json:"score"`
}

// Limits of a Telling's fragments.
const (
	TellingTechniques = 3
	TellingFragments  = 5
	ShortFragment     = 80
)

// ListStories returns one page of the stories of at least minSize
// articles (1 when below) that hold at least one article matching f,
// the largest first, then by id. f.Limit is 50 when zero and at most 1000.
func (s *Store) ListStories(ctx context.Context, f Filter, minSize int) (StoryPage, error) {
	w, err := s.compile(f)
	if err != nil {
		return StoryPage{}, fmt.Errorf("list stories: %w", err)
	}
	minSize = max(1, minSize)
	page := StoryPage{Stories: []Story{}, Limit: f.pageLimit(), Offset: f.Offset}
	from := `FROM story_members m`
	args := append([]any{}, w.args...)
	if len(w.conds) > 0 {
		from += ` WHERE m.story IN (SELECT m2.story FROM story_members m2 JOIN articles a ON a.id = m2.article_id` + w.sql() + `)`
	}
	grouped := `SELECT m.story AS story, COUNT(*) AS size ` + from + ` GROUP BY m.story HAVING COUNT(*) >= ?`
	args = append(args, minSize)
	err = s.readTx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM (`+grouped+`) g`), args...).Scan(&page.Total); err != nil {
			return err
		}
		if page.Offset >= page.Total {
			return nil
		}
		rows, err := tx.QueryContext(ctx, s.q(grouped+` ORDER BY COUNT(*) DESC, m.story LIMIT ? OFFSET ?`), append(args, page.Limit, page.Offset)...)
		if err != nil {
			return err
		}
		var ids []string
		for rows.Next() {
			var id string
			var n int
			if err := rows.Scan(&id, &n); err != nil {
				rows.Close()
				return err
			}
			ids = append(ids, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		stories, _, err := s.describeStories(ctx, tx, ids)
		if err != nil {
			return err
		}
		for _, id := range ids {
			page.Stories = append(page.Stories, stories[id])
		}
		return nil
	})
	if err != nil {
		return StoryPage{}, fmt.Errorf("list stories: %w", err)
	}
	return page, nil
}

// member is an article of a story, as describeStories reads it.
type member struct {
	Summary
	story string
}

// describeStories returns the stories ids name, and their members in date
// order (story.Less).
func (s *Store) describeStories(ctx context.Context, q queryer, ids []string) (map[string]Story, map[string][]member, error) {
	out := map[string]Story{}
	members := map[string][]member{}
	if len(ids) == 0 {
		return out, members, nil
	}
	args := stringArgs(ids)
	rows, err := q.QueryContext(ctx, s.q(`SELECT m.story, a.id, a.source, a.url, a.date, a.lang, a.title, a.words, a.genre, a.stored
		FROM story_members m JOIN articles a ON a.id = m.article_id WHERE m.story IN (`+placeholders(len(ids))+`)`), args...)
	if err != nil {
		return nil, nil, err
	}
	var all []string
	for rows.Next() {
		var m member
		var stored dbTime
		if err := rows.Scan(&m.story, &m.ID, &m.Source, &m.URL, &m.Date, &m.Lang, &m.Title, &m.Words, &m.Genre, &stored); err != nil {
			rows.Close()
			return nil, nil, err
		}
		m.Stored = stored.t
		members[m.story] = append(members[m.story], m)
		all = append(all, m.ID)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	central, err := s.centralArticles(ctx, q, members, all)
	if err != nil {
		return nil, nil, err
	}
	for id, ms := range members {
		sort.Slice(ms, func(a, b int) bool {
			return story.Less(story.Doc{ID: ms[a].ID, Date: ms[a].Date}, story.Doc{ID: ms[b].ID, Date: ms[b].Date})
		})
		st := Story{ID: id, Size: len(ms), Languages: []string{}, Sources: []string{}}
		langs, sources := map[string]int{}, map[string]int{}
		for _, m := range ms {
			langs[m.Lang]++
			if m.Source != "" {
				sources[m.Source]++
			}
			if m.Date != "" {
				if st.From == "" || m.Date < st.From {
					st.From = m.Date
				}
				if m.Date > st.To {
					st.To = m.Date
				}
			}
			if m.ID == central[id] {
				st.Central, st.Title = m.ID, m.Title
			}
		}
		st.Languages, st.Sources = byCount(langs), byCount(sources)
		out[id] = st
	}
	return out, members, nil
}

// byCount returns the keys of counts, the largest count first, then in
// byte order.
func byCount(counts map[string]int) []string {
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(a, b int) bool {
		if counts[keys[a]] != counts[keys[b]] {
			return counts[keys[a]] > counts[keys[b]]
		}
		return keys[a] < keys[b]
	})
	return keys
}

// centralArticles returns, per story, its most central article: the one
// whose signals (weighted) are shared by the most other members; ties go
// to the first in date order.
func (s *Store) centralArticles(ctx context.Context, q queryer, members map[string][]member, all []string) (map[string]string, error) {
	storyOf := make(map[string]string, len(all))
	for id, ms := range members {
		for _, m := range ms {
			storyOf[m.ID] = id
		}
	}
	type kw struct {
		key string
		w   float64
	}
	keys := map[string][]kw{}
	for lo := 0; lo < len(all); lo += 500 {
		chunk := all[lo:min(len(all), lo+500)]
		args := stringArgs(chunk)
		rows, err := q.QueryContext(ctx, s.q(`SELECT article_id, key, weight FROM story_keys WHERE article_id IN (`+placeholders(len(chunk))+`)`), args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id string
			var k kw
			if err := rows.Scan(&id, &k.key, &k.w); err != nil {
				rows.Close()
				return nil, err
			}
			keys[id] = append(keys[id], k)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	out := map[string]string{}
	for id, ms := range members {
		count := map[string]int{}
		for _, m := range ms {
			for _, k := range keys[m.ID] {
				count[k.key]++
			}
		}
		best, bestScore := member{}, -1.0
		for _, m := range ms {
			var score float64
			for _, k := range keys[m.ID] {
				score += float64(count[k.key]-1) * k.w
			}
			if score > bestScore || score == bestScore && story.Less(story.Doc{ID: m.ID, Date: m.Date}, story.Doc{ID: best.ID, Date: best.Date}) {
				best, bestScore = m, score
			}
		}
		out[id] = best.ID
	}
	return out, nil
}

// GetStory returns a story with its articles and tellings
// (ErrStoryNotFound when no article belongs to it).
func (s *Store) GetStory(ctx context.Context, id string) (StoryDetail, error) {
	var d StoryDetail
	var ms []member
	err := s.readTx(ctx, func(tx *sql.Tx) error {
		stories, members, err := s.describeStories(ctx, tx, []string{id})
		if err != nil {
			return err
		}
		st, ok := stories[id]
		if !ok {
			return ErrStoryNotFound
		}
		d.Story, ms = st, members[id]
		ids := make([]string, len(ms))
		for i, m := range ms {
			ids[i] = m.ID
		}
		labels, err := s.labels(ctx, tx, ids)
		if err != nil {
			return err
		}
		d.Articles = make([]Summary, len(ms))
		for i := range ms {
			l := labels[ms[i].ID]
			ms[i].Frames, ms[i].Techniques = l.frames, l.techniques
			d.Articles[i] = ms[i].Summary
		}
		return nil
	})
	if err != nil {
		return StoryDetail{}, fmt.Errorf("story %s: %w", id, err)
	}
	d.Tellings, err = s.tellings(ctx, ms)
	if err != nil {
		return StoryDetail{}, fmt.Errorf("story %s: %w", id, err)
	}
	return d, nil
}

// tellings groups a story's members (in date order, with labels) by
// source and language.
func (s *Store) tellings(ctx context.Context, ms []member) ([]Telling, error) {
	var out []Telling
	index := map[[2]string]int{}
	for _, m := range ms {
		k := [2]string{m.Source, m.Lang}
		i, ok := index[k]
		if !ok {
			i = len(out)
			index[k] = i
			out = append(out, Telling{Source: m.Source, Lang: m.Lang, Articles: []string{}, Genres: map[string]int{},
				Frames: map[string]float64{}, Techniques: map[string]float64{}, Fragments: []StoryFragment{}})
		}
		t := &out[i]
		t.Articles = append(t.Articles, m.ID)
		t.Words += m.Words
		t.Genres[m.Genre]++
		for _, f := range m.Frames {
			t.Frames[f]++
		}
		for tech, n := range m.Techniques {
			t.Techniques[tech] += float64(n)
		}
	}
	for i := range out {
		t := &out[i]
		for f := range t.Frames {
			t.Frames[f] /= float64(len(t.Articles))
		}
		counts := map[string]int{}
		for tech, n := range t.Techniques {
			counts[tech] = int(n)
			if t.Words > 0 {
				t.Techniques[tech] = n * 1000 / float64(t.Words)
			}
		}
		top := byCount(counts)
		if len(top) > TellingTechniques {
			top = top[:TellingTechniques]
		}
		frags, err := s.fragments(ctx, t.Articles, top)
		if err != nil {
			return nil, err
		}
		t.Fragments = frags
	}
	sort.SliceStable(out, func(a, b int) bool {
		if len(out[a].Articles) != len(out[b].Articles) {
			return len(out[a].Articles) > len(out[b].Articles)
		}
		if out[a].Source != out[b].Source {
			return out[a].Source < out[b].Source
		}
		return out[a].Lang < out[b].Lang
	})
	return out, nil
}

// resultSpans is the part of a stored analysis that fragments read.
type resultSpans struct {
	Paragraphs []struct {
		Start int    `json:"start"`
		End   int    `json:"end"`
		Text  string `json:"text"`
		Spans []struct {
			Technique string  `json:"technique"`
			Start     int     `json:"start"`
			End       int     `json:"end"`
			Text      string  `json:"text"`
			Score     float64 `json:"score"`
		} `json:"spans"`
	} `json:"paragraphs"`
}

// fragments returns the located fragments of the given techniques in the
// articles ids: per technique (in the order given) up to TellingFragments
// of distinct texts, the highest scores first.
func (s *Store) fragments(ctx context.Context, ids, techniques []string) ([]StoryFragment, error) {
	out := []StoryFragment{}
	if len(techniques) == 0 {
		return out, nil
	}
	want := map[string][]StoryFragment{}
	for _, t := range techniques {
		want[t] = nil
	}
	results, err := s.results(ctx, ids)
	if err != nil {
		return nil, err
	}
	for _, id := range ids {
		result, ok := results[id]
		if !ok {
			return nil, fmt.Errorf("get %s: %w", id, ErrNotFound)
		}
		var res resultSpans
		if err := json.Unmarshal(result, &res); err != nil {
			return nil, fmt.Errorf("result of %s: %w", id, err)
		}
		for _, p := range res.Paragraphs {
			for _, sp := range p.Spans {
				if _, ok := want[sp.Technique]; !ok {
					continue
				}
				want[sp.Technique] = append(want[sp.Technique], StoryFragment{Technique: sp.Technique, Text: sp.Text, Article: id,
					Start: sp.Start, End: sp.End, Score: sp.Score, Context: fragmentContext(p.Text, sp.Start-p.Start, sp.End-p.Start)})
			}
		}
	}
	for _, t := range techniques {
		fs := want[t]
		sort.SliceStable(fs, func(a, b int) bool {
			la, lb := fs[a].End-fs[a].Start > ShortFragment, fs[b].End-fs[b].Start > ShortFragment
			if la != lb {
				return lb
			}
			return fs[a].Score > fs[b].Score
		})
		seen := map[string]bool{}
		n := 0
		for _, f := range fs {
			if seen[f.Text] || n == TellingFragments {
				continue
			}
			seen[f.Text] = true
			out = append(out, f)
			n++
		}
	}
	return out, nil
}

// results returns the whole stored results of the articles ids (compact
// ones expanded), read in one query per 500 ids; an id not stored has none.
func (s *Store) results(ctx context.Context, ids []string) (map[string][]byte, error) {
	out := make(map[string][]byte, len(ids))
	for lo := 0; lo < len(ids); lo += 500 {
		chunk := ids[lo:min(len(ids), lo+500)]
		rows, err := s.db.QueryContext(ctx, s.q(`SELECT id, text, result, result_compact FROM articles
			WHERE id IN (`+placeholders(len(chunk))+`)`), stringArgs(chunk)...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id, text, result string
			var compact bool
			if err := rows.Scan(&id, &text, &result, &compact); err != nil {
				rows.Close()
				return nil, err
			}
			full := []byte(result)
			if compact {
				if full, err = expandResult(text, full); err != nil {
					rows.Close()
					return nil, fmt.Errorf("get %s: %w", id, err)
				}
			}
			out[id] = full
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// fragmentContext returns the paragraph para cut to about ContextRunes code points
// around the fragment [start, end) (code points of para).
func fragmentContext(para string, start, end int) string {
	rs := []rune(para)
	if start < 0 || end > len(rs) || start > end {
		return ""
	}
	room := max(0, (ContextRunes-(end-start))/2)
	lo, hi := max(0, start-room), min(len(rs), end+room)
	if end-start > ContextRunes {
		// A long fragment is its own context, cut.
		lo, hi = start, start+ContextRunes
	}
	out := string(rs[lo:hi])
	if lo > 0 {
		out = "…" + out
	}
	if hi < len(rs) {
		out += "…"
	}
	if !utf8.ValidString(out) {
		return ""
	}
	return out
}
