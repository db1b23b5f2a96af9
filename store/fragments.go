package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
)

// Fragment is one span of a stored analysis: a technique's fragment of an
// article, with the text around it in its paragraph.
type Fragment struct {
	ArticleID string `json:"article_id"`
	Source    string `json:"source,omitempty"`
	Date      string `json:"date,omitempty"`
	Lang      string `json:"lang"`
	Title     string `json:"title"`
	// Line is the paragraph's line; Start and End the fragment's code
	// points in the article text (end exclusive).
	Line      int     `json:"line"`
	Technique string  `json:"technique"`
	Score     float64 `json:"score"`
	Start     int     `json:"start"`
	End       int     `json:"end"`
	Text      string  `json:"text"`
	// Before and After are the paragraph's text before and after the
	// fragment, at most ContextRunes code points of each.
	Before string `json:"before"`
	After  string `json:"after"`
}

// FragmentPage is one page of fragments.
type FragmentPage struct {
	Fragments []Fragment `json:"fragments"`
	// Total counts the fragments found in the articles searched;
	// Articles counts those articles, at most MaxFragmentArticles:
	// Truncated says that more articles matched, and were not searched.
	Total     int  `json:"total"`
	Articles  int  `json:"articles"`
	Truncated bool `json:"truncated"`
	Limit     int  `json:"limit"`
	Offset    int  `json:"offset"`
}

// Fragment search bounds.
const (
	// MaxFragmentArticles bounds the articles one search reads, newest
	// first: narrow the filter to reach older ones.
	MaxFragmentArticles = 2000
	// ContextRunes bounds Fragment.Before and After.
	ContextRunes = 160
)

// FragmentQuery selects fragments within the articles of Filter (whose
// Query must also be found in the fragment, and whose Technique, when set,
// is the fragments').
type FragmentQuery struct {
	Filter
	// MinScore is the lowest span score returned.
	MinScore float64
}

// Fragments returns one page (Limit, default 50 and at most MaxLimit, and
// Offset) of the fragments of the articles that match fq.Filter, newest
// article first and in text order within an article: those of its
// technique (all techniques when none), scoring at least MinScore, and
// holding every word of its Query.
func (s *Store) Fragments(ctx context.Context, fq FragmentQuery) (FragmentPage, error) {
	f := fq.Filter
	w, err := s.compile(f)
	if err != nil {
		return FragmentPage{}, fmt.Errorf("fragments: %w", err)
	}
	page := FragmentPage{Fragments: []Fragment{}, Limit: f.pageLimit(), Offset: f.Offset}
	words := SearchWords(f.Query)
	for i, t := range words {
		words[i] = strings.ToLower(t)
	}
	err = s.readTx(ctx, func(tx *sql.Tx) error {
		args := append(append([]any{}, w.args...), MaxFragmentArticles+1)
		rows, err := tx.QueryContext(ctx, s.q(`SELECT a.id, a.source, a.date, a.lang, a.title, a.text, a.result
			FROM articles a`+w.sql()+` ORDER BY a.date DESC, a.id LIMIT ?`), args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			if page.Articles == MaxFragmentArticles {
				page.Truncated = true
				break
			}
			page.Articles++
			var a Fragment
			var text, result string
			if err := rows.Scan(&a.ArticleID, &a.Source, &a.Date, &a.Lang, &a.Title, &text, &result); err != nil {
				return err
			}
			found, err := articleFragments(a, text, []byte(result), f.Technique, fq.MinScore, words)
			if err != nil {
				return fmt.Errorf("article %s: %w", a.ArticleID, err)
			}
			for _, fr := range found {
				if page.Total >= page.Offset && len(page.Fragments) < page.Limit {
					page.Fragments = append(page.Fragments, fr)
				}
				page.Total++
			}
		}
		return rows.Err()
	})
	if err != nil {
		return FragmentPage{}, fmt.Errorf("fragments: %w", err)
	}
	return page, nil
}

// articleFragments returns the fragments of one article's result (whole
// or compact: the texts are taken from the article text by their offsets)
// that are of technique (any when ""), score at least minScore and hold
// every one of words (lower case), filling in from the fields of base.
func articleFragments(base Fragment, text string, result []byte, technique string, minScore float64, words []string) ([]Fragment, error) {
	var res struct {
		Paragraphs []struct {
			Line  int `json:"line"`
			Start int `json:"start"`
			End   int `json:"end"`
			Spans []struct {
				Technique string  `json:"technique"`
				Start     int     `json:"start"`
				End       int     `json:"end"`
				Score     float64 `json:"score"`
			} `json:"spans"`
		} `json:"paragraphs"`
	}
	if err := json.Unmarshal(result, &res); err != nil {
		return nil, fmt.Errorf("stored result: %w", err)
	}
	var cp codePoints
	var out []Fragment
	for _, p := range res.Paragraphs {
		for _, sp := range p.Spans {
			if technique != "" && sp.Technique != technique || sp.Score < minScore {
				continue
			}
			if cp.at == nil {
				cp = newCodePoints(text)
			}
			frag, ok := cp.slice(sp.Start, sp.End)
			if !ok || sp.Start < p.Start || sp.End > p.End {
				return nil, fmt.Errorf("stored result: span %d-%d outside its paragraph %d-%d or the text", sp.Start, sp.End, p.Start, p.End)
			}
			if !holdsWords(frag, words) {
				continue
			}
			before, _ := cp.slice(max(p.Start, sp.Start-ContextRunes), sp.Start)
			after, _ := cp.slice(sp.End, min(p.End, sp.End+ContextRunes))
			fr := base
			fr.Line, fr.Technique, fr.Score, fr.Start, fr.End = p.Line, sp.Technique, sp.Score, sp.Start, sp.End
			fr.Text, fr.Before, fr.After = frag, before, after
			out = append(out, fr)
		}
	}
	return out, nil
}

// holdsWords reports whether text has every one of words (lower case) as a
// word, case folded.
func holdsWords(text string, words []string) bool {
	if len(words) == 0 {
		return true
	}
	has := map[string]bool{}
	for _, t := range searchTerms(text) {
		has[strings.ToLower(t)] = true
	}
	for _, w := range words {
		if !has[w] {
			return false
		}
	}
	return true
}
