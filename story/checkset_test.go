package story

import (
	"os"
	"testing"
)

// TestCheckSet groups the whole release (training and test articles of
// all languages, undated) and scores the grouping against the committed
// hand-labelled check set: pairwise precision at least 0.85, recall at
// least 0.6.
func TestCheckSet(t *testing.T) {
	arts := loadRelease(t)
	f, err := os.Open("testdata/checkset.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	items, err := ParseCheckSet(f, "testdata/checkset.tsv")
	if err != nil {
		t.Fatal(err)
	}
	docs := releaseDocs(arts)
	group := Group(docs, Options{})
	index := map[string]int{}
	for i, a := range arts {
		index[a.Lang+"/"+a.ID] = i
	}
	stories := make([]string, len(items))
	for k, it := range items {
		i, ok := index[it.Lang+"/"+it.ID]
		if !ok {
			t.Fatalf("testdata/checkset.tsv:%d: article %s/%s is not in the release", it.Line, it.Lang, it.ID)
		}
		stories[k] = arts[group[i]].ID
	}
	s := Pairwise(items, stories)
	t.Logf("%d articles: %d pairs predicted, %d gold, %d correct: precision %.3f, recall %.3f",
		len(items), s.Predicted, s.Gold, s.Correct, s.Precision, s.Recall)
	if s.Precision < 0.85 || s.Recall < 0.6 {
		for k, it := range items {
			t.Logf("%s\t%s/%s\tstory %s", it.Event, it.Lang, it.ID, stories[k])
		}
		t.Errorf("precision %.3f (want >= 0.85), recall %.3f (want >= 0.6)", s.Precision, s.Recall)
	}
}
