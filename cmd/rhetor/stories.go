package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"rhetor/store"
	"rhetor/story"
)

// runStories implements `rhetor stories`: the stories of a store (articles
// grouped by the event they report), one story in detail, corrections,
// a rebuild, and the pairwise score against a check set.
func runStories(ctx context.Context, stdio IO, args []string) error {
	fs := newFlagSet("stories", stdio.Stderr, "[STORY-ID]")
	db := fs.String("db", "", "SQLite database `PATH`, or a postgres://… URL (default: $RHETOR_DB, then $XDG_DATA_HOME/rhetor/rhetor.db)")
	rebuild := fs.Bool("rebuild", false, "group the whole store again (applying the recorded corrections) before anything else")
	evalFile := fs.String("eval", "", "score the grouping against a check set `FILE` (event<TAB>lang<TAB>article id per line): pairwise precision and recall")
	merge := fs.String("merge", "", "merge two stories: `A,B` puts story B's articles into story A (recorded; rebuilds keep it)")
	split := fs.String("split", "", "take article `ID` out of its story into one of its own (recorded; rebuilds keep it)")
	asJSON := fs.Bool("json", false, "print JSON (the API's answer) instead of text")
	minSize := fs.Int("min-size", 2, "list only stories of at least `N` articles")
	var f store.Filter
	fs.StringVar(&f.Lang, "lang", "", "only stories with an article in this language (ISO code)")
	fs.StringVar(&f.Source, "source", "", "only stories with an article of this source")
	fs.StringVar(&f.From, "from", "", "only stories with an article dated on or after `YYYY-MM-DD`")
	fs.StringVar(&f.To, "to", "", "only stories with an article dated on or before `YYYY-MM-DD`")
	fs.StringVar(&f.Genre, "genre", "", "only stories with an article of this genre")
	fs.StringVar(&f.Frame, "frame", "", "only stories with an article using this frame")
	fs.StringVar(&f.Technique, "technique", "", "only stories with an article using this technique")
	fs.StringVar(&f.Query, "q", "", "only stories with an article holding all these `words`")
	fs.IntVar(&f.Limit, "limit", 50, "stories listed (at most 1000)")
	fs.IntVar(&f.Offset, "offset", 0, "stories skipped")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 1 {
		return usagef("stories takes at most one story id, got %q", fs.Args())
	}
	var mergeA, mergeB string
	if *merge != "" {
		var ok bool
		mergeA, mergeB, ok = strings.Cut(*merge, ",")
		if !ok || mergeA == "" || mergeB == "" {
			return usagef("--merge wants two story ids separated by a comma, got %q", *merge)
		}
	}
	if f.Limit < 1 || f.Offset < 0 {
		return usagef("--limit must be at least 1 and --offset at least 0")
	}
	dsn, err := storeDSN(*db)
	if err != nil {
		return err
	}
	st, err := store.Open(ctx, dsn)
	if err != nil {
		return fmt.Errorf("open store %s: %w", redactDSN(dsn), err)
	}
	defer st.Close()

	out := stdio.Stdout
	did := false
	if *rebuild {
		res, err := st.RebuildStories(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "%s (%s): %d articles in %d stories, %d corrections applied\n", redactDSN(dsn), st.Backend(), res.Articles, res.Stories, res.Corrections)
		did = true
	}
	if *merge != "" {
		if err := st.MergeStories(ctx, mergeA, mergeB); err != nil {
			return err
		}
		fmt.Fprintf(out, "merged story %s into %s\n", mergeB, mergeA)
		did = true
	}
	if *split != "" {
		if err := st.SplitArticle(ctx, *split); err != nil {
			return err
		}
		fmt.Fprintf(out, "article %s is now a story of its own\n", *split)
		did = true
	}
	if *evalFile != "" {
		if err := evalStories(ctx, out, st, *evalFile); err != nil {
			return err
		}
		did = true
	}
	if fs.NArg() == 1 {
		d, err := st.GetStory(ctx, fs.Arg(0))
		if err != nil {
			return err
		}
		if *asJSON {
			return printJSON(out, d)
		}
		return printStory(out, d)
	}
	if did {
		return nil
	}
	if n, err := st.Ungrouped(ctx); err != nil {
		return err
	} else if n > 0 {
		fmt.Fprintf(stdio.Stderr, "rhetor: %d stored articles belong to no story (stored before stories were kept): run rhetor stories --rebuild\n", n)
	}
	page, err := st.ListStories(ctx, f, *minSize)
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(out, page)
	}
	fmt.Fprintf(out, "%d stories of %d or more articles", page.Total, max(1, *minSize))
	if page.Total > len(page.Stories) {
		fmt.Fprintf(out, " (%d to %d shown)", page.Offset+1, page.Offset+len(page.Stories))
	}
	fmt.Fprintln(out)
	for _, s := range page.Stories {
		fmt.Fprintf(out, "%s\t%d articles\t%s\t%s\t%s\t%s\n", s.ID, s.Size, strings.Join(s.Languages, ","),
			orDash(strings.Join(s.Sources, ",")), orDash(dateRange(s.From, s.To)), s.Title)
	}
	return nil
}

// evalStories prints the pairwise precision and recall of the store's
// stories against the check set in file.
func evalStories(ctx context.Context, out io.Writer, st *store.Store, file string) error {
	fh, err := os.Open(file)
	if err != nil {
		return fmt.Errorf("open check set: %w", err)
	}
	items, err := story.ParseCheckSet(fh, file)
	fh.Close()
	if err != nil {
		return err
	}
	stories := make([]string, len(items))
	for i, it := range items {
		s, err := st.StoryOf(ctx, it.ID)
		if err != nil {
			return fmt.Errorf("%s:%d: article %s (%s): %w (import the release, and run stories --rebuild for articles stored before stories were kept)", file, it.Line, it.ID, it.Lang, err)
		}
		stories[i] = s
	}
	sc := story.Pairwise(items, stories)
	events := map[string]bool{}
	for _, it := range items {
		events[it.Event] = true
	}
	fmt.Fprintf(out, "%s: %d articles, %d events\n", file, len(items), len(events))
	fmt.Fprintf(out, "pairs: %d predicted, %d gold, %d correct\n", sc.Predicted, sc.Gold, sc.Correct)
	fmt.Fprintf(out, "precision %.3f\nrecall    %.3f\n", sc.Precision, sc.Recall)
	return nil
}

func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("write output: %w", err)
	}
	return nil
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func dateRange(from, to string) string {
	if from == to {
		return from
	}
	return from + ".." + to
}

// printStory prints a story and, per source and language, how it was told.
func printStory(w io.Writer, d store.StoryDetail) error {
	s := d.Story
	fmt.Fprintf(w, "story %s: %d articles, languages %s, sources %s, dates %s\n", s.ID, s.Size,
		strings.Join(s.Languages, ","), orDash(strings.Join(s.Sources, ",")), orDash(dateRange(s.From, s.To)))
	fmt.Fprintf(w, "title (article %s): %s\n\narticles:\n", s.Central, s.Title)
	for _, a := range d.Articles {
		fmt.Fprintf(w, "  %s\t%s\t%s\t%s\t%s\n", a.ID, a.Lang, orDash(a.Source), orDash(a.Date), a.Title)
	}
	for _, t := range d.Tellings {
		fmt.Fprintf(w, "\n%s / %s: %d articles, %d words\n", orDash(t.Source), t.Lang, len(t.Articles), t.Words)
		fmt.Fprintf(w, "  genre:      %s\n", joinCounts(t.Genres))
		fmt.Fprintf(w, "  frames:     %s\n", joinShares(t.Frames, "%.0f%%", 100))
		fmt.Fprintf(w, "  techniques: %s (per 1,000 words)\n", joinShares(t.Techniques, "%.1f", 1))
		for _, f := range t.Fragments {
			fmt.Fprintf(w, "  %s: %q in %s: %s\n", f.Technique, f.Text, f.Article, f.Context)
		}
	}
	return nil
}

func joinCounts(m map[string]int) string {
	keys := sortedKeys(m, func(k string) float64 { return float64(m[k]) })
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s %d", k, m[k]))
	}
	return orDash(strings.Join(parts, ", "))
}

func joinShares(m map[string]float64, format string, scale float64) string {
	keys := sortedKeys(m, func(k string) float64 { return m[k] })
	var parts []string
	for _, k := range keys {
		parts = append(parts, k+" "+fmt.Sprintf(format, m[k]*scale))
	}
	return orDash(strings.Join(parts, ", "))
}

// sortedKeys returns the keys of m by descending value, then in byte order.
func sortedKeys[V any](m map[string]V, value func(string) float64) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(a, b int) bool {
		if va, vb := value(keys[a]), value(keys[b]); va != vb {
			return va > vb
		}
		return keys[a] < keys[b]
	})
	return keys
}
