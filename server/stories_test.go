package server

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"

	"rhetor/store"
)

// postStoryArticles stores, through the API, three articles on one event
// (English, French, Russian) and two unrelated ones.
func postStoryArticles(t *testing.T, e *testEnv) {
	t.Helper()
	arts := []ArticleRequest{
		{ID: "kz1", Lang: "en", Source: "wire", Date: "2022-01-05", Text: "Protests in Kazakhstan: police in Almaty fired on crowds.\nPresident Tokayev asked the CSTO for troops."},
		{ID: "kz2", Lang: "fr", Source: "lemonde", Date: "2022-01-06", Text: "Au Kazakhstan, la police a tiré à Almaty.\nLe président Tokaïev a demandé l'aide de l'OTSC."},
		{ID: "kz3", Lang: "ru", Source: "ria", Date: "2022-01-06", Text: "В Казахстане, в Алматы, стреляли.\nПрезидент Токаев попросил ОДКБ о помощи."},
		{ID: "x1", Lang: "en", Source: "wire", Date: "2022-05-01", Text: "The mayor of Lisbon opened a library in Belém; 300 children visited it."},
		{ID: "x2", Lang: "en", Source: "local", Date: "2022-05-02", Text: "Quito hosted the Andean chess championship; Ecuador won 4 medals."},
	}
	for _, a := range arts {
		if r := e.do("POST", "/v1/articles", mustJSON(t, a), e.auth()...); r.status != http.StatusCreated {
			t.Fatalf("POST %s: %d %s", a.ID, r.status, r.body)
		}
	}
}

func TestStoriesAPI(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.Token = "s3cret" })
	postStoryArticles(t, e)

	r := e.do("GET", "/v1/stories", "")
	var page store.StoryPage
	r.decode(t, &page)
	if r.status != 200 || page.Total != 1 || page.Stories[0].ID != "kz1" || page.Stories[0].Size != 3 ||
		strings.Join(page.Stories[0].Languages, ",") != "en,fr,ru" {
		t.Fatalf("GET /v1/stories: %d %s", r.status, r.body)
	}
	r = e.do("GET", "/v1/stories?min_size=1&lang=en&limit=10", "")
	r.decode(t, &page)
	if page.Total != 3 || page.Stories[0].ID != "kz1" || page.Stories[1].ID != "x1" || page.Stories[2].ID != "x2" {
		t.Errorf("GET /v1/stories?min_size=1&lang=en: %s", r.body)
	}
	r = e.do("GET", "/v1/stories?format=csv&source=ria", "")
	if r.status != 200 || !strings.HasPrefix(string(r.body), "id,size,languages,sources,from,to,central,title\nkz1,3,en fr ru,lemonde ria wire,2022-01-05,2022-01-06,") {
		t.Errorf("CSV: %d %s", r.status, r.body)
	}
	for path, msg := range map[string]string{
		"/v1/stories?min_size=0":            "min_size",
		"/v1/stories?min_size=1&min_size=2": "min_size",
		"/v1/stories?bogus=x":               "known: lang, source, from, to, genre, frame, technique, q, min_size",
		"/v1/stories?from=yesterday":        "from",
		"/v1/stories/kz1?x=1":               "no query parameters",
	} {
		e.do("GET", path, "").wantError(t, http.StatusBadRequest, msg)
	}

	r = e.do("GET", "/v1/stories/kz1", "")
	var d store.StoryDetail
	r.decode(t, &d)
	if r.status != 200 || d.Story.ID != "kz1" || len(d.Articles) != 3 || len(d.Tellings) != 3 {
		t.Fatalf("GET /v1/stories/kz1: %d %s", r.status, r.body)
	}
	for _, tl := range d.Tellings {
		if len(tl.Articles) != 1 || tl.Words == 0 || len(tl.Genres) != 1 || tl.Fragments == nil {
			t.Errorf("telling %+v", tl)
		}
	}
	e.do("GET", "/v1/stories/none", "").wantError(t, http.StatusNotFound, `story "none" not found`)

	// Corrections need the token.
	e.do("POST", "/v1/stories/merge", `{"into":"kz1","from":"x1"}`).wantError(t, http.StatusUnauthorized, "")
	e.do("POST", "/v1/stories/merge", `{"into":"kz1","from":"kz1"}`, e.auth()...).wantError(t, http.StatusBadRequest, "itself")
	e.do("POST", "/v1/stories/merge", `{"into":"kz1","from":"nope"}`, e.auth()...).wantError(t, http.StatusNotFound, "not found")
	e.do("POST", "/v1/stories/merge", `{"into":"kz1"}`, e.auth()...).wantError(t, http.StatusBadRequest, "give the stories")
	e.do("POST", "/v1/stories/merge", `{"into":"kz1","from":"x1","x":1}`, e.auth()...).wantError(t, http.StatusBadRequest, "unknown field")
	e.do("POST", "/v1/stories/split", `{"article":"kz2"}`, append(e.auth(), "Content-Type", "text/plain")...).wantError(t, http.StatusUnsupportedMediaType, "Content-Type")
	r = e.do("POST", "/v1/stories/merge", `{"into":"kz1","from":"x1"}`, e.auth()...)
	r.decode(t, &d)
	if r.status != 200 || d.Story.ID != "kz1" || d.Story.Size != 4 {
		t.Errorf("merge: %d %s", r.status, r.body)
	}
	r = e.do("POST", "/v1/stories/split", `{"article":"kz1"}`, e.auth()...)
	r.decode(t, &d)
	if r.status != 200 || d.Story.ID != "kz1" || d.Story.Size != 1 {
		t.Errorf("split: %d %s", r.status, r.body)
	}
	e.do("POST", "/v1/stories/split", `{"article":"nope"}`, e.auth()...).wantError(t, http.StatusNotFound, "not found")
	r = e.do("GET", "/v1/stories", "")
	r.decode(t, &page)
	if page.Total != 1 || page.Stories[0].ID != "kz2" || page.Stories[0].Size != 3 {
		t.Errorf("after merge and split: %s", r.body)
	}
}

// FuzzDecodeObject checks that any body either decodes into a correction
// request from valid UTF-8 or fails with a client error, and never panics.
func FuzzDecodeObject(f *testing.F) {
	for _, seed := range []string{
		`{"into": "a", "from": "b"}`, `{"into": "a"}`, `{}`, `[]`, `null`, `{"into": 1}`, `{"into": "a", "x": 1}`,
		`{"into": "a"} {}`, "{\"into\": \"\xff\"}", `{"into": "\ud800"}`, "", "{",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var req MergeRequest
		err := decodeObject(data, &req)
		if err != nil {
			var re requestError
			if !errors.As(err, &re) || err.Error() == "" {
				t.Fatalf("error %v is not a client error", err)
			}
			return
		}
		if !utf8.Valid(data) || !utf8.ValidString(req.Into) || !utf8.ValidString(req.From) {
			t.Fatalf("accepted %q as %+v", data, req)
		}
	})
}
