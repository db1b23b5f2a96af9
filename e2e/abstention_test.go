package e2e

import (
	"strings"
	"testing"
)

// TestAbstentionShown: a Georgian article, which the default model's
// features barely cover, shows "cannot tell" for the genre, the frames and
// the techniques, each with its reason and coverage, and not "no frame
// selected" or an article without techniques; a covered article shows no
// such note.
func TestAbstentionShown(t *testing.T) {
	e := newEnv(t, 1280, 900)
	e.analyse("paste a Georgian article", "საქართველოს მთავრობამ განაცხადა, რომ ეკონომიკის ზრდას ხელს შეუწყობს.\n\nოპოზიცია ამბობს, რომ ეს ტყუილია.\n")
	for _, sub := range []string{"genre", "frames", "techniques"} {
		note := evalJS[string](e, `(document.querySelector(".results .abstained[data-subtask=`+sub+`]") || {}).textContent || ""`)
		if !strings.HasPrefix(note, "Cannot tell.") || !strings.Contains(note, "coverage 0") || !strings.Contains(note, "barely cover") {
			t.Errorf("%s: abstention note %q", sub, note)
		}
	}
	if g := evalJS[string](e, `document.querySelector(".results .genre .big").textContent`); g != "Cannot tell" {
		t.Errorf("genre shown as %q", g)
	}
	if frames := evalJS[string](e, `document.querySelector(".results .frames").textContent`); strings.Contains(frames, "No frame selected") {
		t.Errorf("frames card says %q", frames)
	}
	if head := evalJS[string](e, `document.querySelector(".results .article .card-head").textContent`); !strings.Contains(head, "techniques: cannot tell") {
		t.Errorf("article head %q", head)
	}
	e.analyse("paste an English article", "The outrageous traitors sold the country.\n\nThe government said the budget would be published next week.\n")
	// The new result replaces the old one: its genre is told, and it has no
	// abstention note (waitJS fails the test if that never happens).
	e.waitJS("the covered article's result", `document.querySelector(".results .genre .big").textContent !== "Cannot tell" &&
		document.querySelectorAll(".results .abstained").length === 0`)
}
