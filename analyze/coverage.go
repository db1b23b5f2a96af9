package analyze

import (
	"fmt"
	"sort"
	"strings"

	"rhetor/lang"
	"rhetor/model"
	"rhetor/text"
)

// MinCoverage is the coverage under which an analysis abstains: the
// model's features barely cover the text, so it says per subtask that it
// cannot tell instead of giving empty or saturated lists. Measured with the
// default model on the release's 457 test articles: every article of the six
// training languages and of Spanish has a coverage of 1.000; Greek articles
// 0.000–0.199 (mean 0.020), Georgian ones 0.000–0.053 (mean 0.006). The
// cut-off lies in the middle of that gap (go test ./analyze -run
// ReleaseCoverage -v).
const MinCoverage = 0.5

const (
	subtaskGenre      = "genre"
	subtaskFrames     = "frames"
	subtaskTechniques = "techniques"
)

// trainedScripts returns the scripts of the model's training languages, as
// the language identifier knows them (languages it does not know are left
// out; a model without any known language covers every text).
func trainedScripts(m *model.Model) map[string]bool {
	out := map[string]bool{}
	for code := range m.Info.Languages {
		if s := lang.LanguageScript(code); s != "" {
			out[s] = true
		}
	}
	return out
}

// Coverage returns the share of the letters of txt written in the scripts of
// the model's training languages: the model's word and character features
// are hashed, so a word of a script it never saw lands on buckets whose
// weights other words learnt (96% of the default model's technique buckets
// carry a weight), and only the script tells that its features say nothing.
// A text without letters has a coverage of 0; a model whose training
// languages the identifier does not know covers everything (1).
func (a *Analyzer) Coverage(txt string) float64 {
	if len(a.scripts) == 0 {
		return 1
	}
	letters, by := lang.LetterScripts(txt)
	if letters == 0 {
		return 0
	}
	n := 0
	for s, c := range by {
		if a.scripts[s] {
			n += c
		}
	}
	return float64(n) / float64(letters)
}

// abstain sets res.Coverage to coverage (the article's Coverage, rounded)
// and, under MinCoverage, replaces the decisions by abstentions: no genre
// label, no frame selected, no technique or span. Scores (genre
// probabilities, frame scores) are kept for who wants them.
func (a *Analyzer) abstain(res *Result, coverage float64) {
	res.Coverage = coverage
	if res.Coverage >= MinCoverage {
		return
	}
	scripts := make([]string, 0, len(a.scripts))
	for s := range a.scripts {
		scripts = append(scripts, s)
	}
	sort.Strings(scripts)
	why := fmt.Sprintf("%.0f%% of the text's letters are in the scripts of the model's training languages (%s), under %.0f%%: its features barely cover the text",
		100*res.Coverage, strings.Join(scripts, ", "), 100*MinCoverage)
	res.Reliable = false
	res.Warnings = append(res.Warnings, why+"; genre, frames and techniques are not given")
	for _, sub := range []string{subtaskGenre, subtaskFrames, subtaskTechniques} {
		res.Abstentions = append(res.Abstentions, Abstention{Subtask: sub, Reason: why, Coverage: res.Coverage})
	}
	res.Genre.Label = ""
	for i := range res.Frames {
		res.Frames[i].Selected, res.Frames[i].Evidence = false, nil
	}
	for i := range res.Paragraphs {
		res.Paragraphs[i].Techniques, res.Paragraphs[i].Spans = []Technique{}, []Span{}
	}
}

// decideAbstained is decide for an article that abstain will turn into
// abstentions: it fills what they keep (thresholds, genre probabilities,
// frame scores, paragraphs without techniques), as decide would, without
// the decisions they drop, their evidence and fragments.
func (a *Analyzer) decideAbstained(res *Result, txt string, s *Scores) {
	m := a.m
	res.Thresholds = a.thresholds(s)
	if s.Genre != nil {
		a.decideGenre(res, s)
		res.Frames = frameLabels(m, s.Frames, nil, nil)
	}
	runes := text.NewRuneIndex(txt)
	res.Paragraphs = make([]Paragraph, len(s.Paragraphs))
	for i, p := range s.Paragraphs {
		res.Paragraphs[i] = newParagraph(p, runes)
	}
}

// Abstained reports whether the result abstains on the subtask ("genre",
// "frames" or "techniques").
func (r *Result) Abstained(subtask string) bool {
	for _, ab := range r.Abstentions {
		if ab.Subtask == subtask {
			return true
		}
	}
	return false
}
