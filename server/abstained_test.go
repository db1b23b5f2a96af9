package server

import (
	"net/http"
	"testing"

	"rhetor/analyze"
	"rhetor/store"
)

// TestAbstainedAPI: POST /v1/analyze answers the abstentions of a text the
// model's features barely cover; /v1/stats leaves the stored article out
// unless abstained=true, and says how many it left out.
func TestAbstainedAPI(t *testing.T) {
	e := newEnv(t, nil)
	greek := mustJSON(t, map[string]string{"text": "Η κυβέρνηση είπε χθες ότι οι προδότες κατέστρεψαν τη χώρα.", "source": "s"})
	var out struct{ Articles []analyze.Result }
	e.do("POST", "/v1/analyze", greek).decode(t, &out)
	if len(out.Articles) != 1 {
		t.Fatalf("%d results", len(out.Articles))
	}
	res := out.Articles[0]
	if res.Coverage >= analyze.MinCoverage || len(res.Abstentions) != 3 || res.Reliable || res.Genre.Label != "" {
		t.Errorf("analysis of a Greek text: coverage %v, abstentions %+v, reliable %v, genre %q", res.Coverage, res.Abstentions, res.Reliable, res.Genre.Label)
	}
	for _, body := range []string{greek, mustJSON(t, map[string]string{"text": article(0), "source": "s", "lang": "en"})} {
		if r := e.do("POST", "/v1/articles", body); r.status != http.StatusCreated {
			t.Fatalf("POST: %d %s", r.status, r.body)
		}
	}
	var st store.Stats
	e.do("GET", "/v1/stats", "").decode(t, &st)
	if st.Articles != 1 || st.Abstained != 1 {
		t.Errorf("default stats: %d articles, %d abstained; want 1 and 1", st.Articles, st.Abstained)
	}
	st = store.Stats{}
	e.do("GET", "/v1/stats?abstained=true", "").decode(t, &st)
	if st.Articles != 2 || st.Abstained != 1 {
		t.Errorf("stats with abstained=true: %d articles, %d abstained; want 2 and 1", st.Articles, st.Abstained)
	}
	e.do("GET", "/v1/stats?abstained=maybe", "").wantError(t, http.StatusBadRequest, "abstained")
	e.do("GET", "/v1/articles?abstained=true", "").wantError(t, http.StatusBadRequest, "abstained")
}
