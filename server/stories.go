package server

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"rhetor/store"
)

// The story endpoints (see store.ListStories, store.GetStory and the
// corrections): GET /v1/stories, GET /v1/stories/{id}, and the writes
// POST /v1/stories/merge and POST /v1/stories/split.

// MergeRequest is the body of POST /v1/stories/merge: story From's
// articles join story Into.
type MergeRequest struct {
	Into string `json:"into"`
	From string `json:"from"`
}

// SplitRequest is the body of POST /v1/stories/split: the article leaves
// its story for one of its own.
type SplitRequest struct {
	Article string `json:"article"`
}

// handleListStories implements GET /v1/stories: the article filters of
// /v1/articles (a story matches when one of its articles does), min_size
// (default 2), limit, offset, format=csv.
func (s *Server) handleListStories(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	minSize, err := intParam(q, "min_size", 2, 1, 1<<30)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if len(q["min_size"]) > 1 {
		s.fail(w, r, badRequest("query parameter \"min_size\" is given %d times", len(q["min_size"])))
		return
	}
	rest := url.Values{}
	for k, v := range q {
		switch k {
		case "min_size":
		case "lang", "source", "from", "to", "genre", "frame", "technique", "q", "format", "limit", "offset":
			rest[k] = v
		default:
			s.fail(w, r, badRequest("unknown query parameter %q (known: lang, source, from, to, genre, frame, technique, q, min_size, limit, offset, format)", k))
			return
		}
	}
	f, format, _, err := parseQuery(rest, true)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page, err := s.cfg.Store.ListStories(r.Context(), f, minSize)
	if err != nil {
		s.fail(w, r, fmt.Errorf("list stories: %w", err))
		return
	}
	if format == "csv" {
		writeCSV(w, "rhetor-stories.csv", storiesCSV(page.Stories))
		return
	}
	s.writeJSON(w, http.StatusOK, page)
}

// storiesCSV is a story listing as CSV rows.
func storiesCSV(stories []store.Story) [][]string {
	rows := [][]string{{"id", "size", "languages", "sources", "from", "to", "central", "title"}}
	for _, st := range stories {
		rows = append(rows, []string{st.ID, strconv.Itoa(st.Size), strings.Join(st.Languages, " "),
			strings.Join(st.Sources, " "), st.From, st.To, st.Central, st.Title})
	}
	return rows
}

// handleGetStory implements GET /v1/stories/{id}.
func (s *Server) handleGetStory(w http.ResponseWriter, r *http.Request) {
	if len(r.URL.Query()) > 0 {
		s.fail(w, r, badRequest("GET /v1/stories/{id} takes no query parameters"))
		return
	}
	s.answerStory(w, r, r.PathValue("id"))
}

// handleMergeStories implements POST /v1/stories/merge; it answers the
// merged story.
func (s *Server) handleMergeStories(w http.ResponseWriter, r *http.Request) {
	var req MergeRequest
	if err := decodeCorrection(r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	if req.Into == "" || req.From == "" {
		s.fail(w, r, badRequest("give the stories to merge: {\"into\": ID, \"from\": ID}"))
		return
	}
	if err := s.cfg.Store.MergeStories(r.Context(), req.Into, req.From); err != nil {
		switch {
		case errors.Is(err, store.ErrInvalidCorrection):
			s.fail(w, r, badRequest("a story cannot be merged with itself"))
		case errors.Is(err, store.ErrStoryNotFound):
			s.fail(w, r, statusError{http.StatusNotFound, fmt.Sprintf("story %q or %q not found", req.Into, req.From)})
		default:
			s.fail(w, r, err)
		}
		return
	}
	s.metrics.storeWrites.Add(1)
	s.answerStory(w, r, req.Into)
}

// handleSplitArticle implements POST /v1/stories/split; it answers the
// article's new story.
func (s *Server) handleSplitArticle(w http.ResponseWriter, r *http.Request) {
	var req SplitRequest
	if err := decodeCorrection(r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	if req.Article == "" {
		s.fail(w, r, badRequest("give the article to split out: {\"article\": ID}"))
		return
	}
	if err := s.cfg.Store.SplitArticle(r.Context(), req.Article); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			s.fail(w, r, statusError{http.StatusNotFound, fmt.Sprintf("article %q not found in a story", req.Article)})
			return
		}
		s.fail(w, r, err)
		return
	}
	s.metrics.storeWrites.Add(1)
	s.answerStory(w, r, req.Article)
}

// answerStory answers the story id, or 404 when there is none.
func (s *Server) answerStory(w http.ResponseWriter, r *http.Request, id string) {
	d, err := s.cfg.Store.GetStory(r.Context(), id)
	if err != nil {
		s.fail(w, r, storyError(id, err))
		return
	}
	s.writeJSON(w, http.StatusOK, d)
}

func storyError(id string, err error) error {
	if errors.Is(err, store.ErrStoryNotFound) {
		return statusError{http.StatusNotFound, fmt.Sprintf("story %q not found", id)}
	}
	return err
}

// decodeCorrection decodes the JSON object of a correction strictly (one
// object, known fields, valid UTF-8, application/json).
func decodeCorrection(r *http.Request, v any) error {
	_, data, err := requestBody(r, false)
	if err != nil {
		return err
	}
	return decodeObject(data, v)
}

// decodeObject decodes data, which must be one JSON object of valid UTF-8
// with only the fields of v, into v. Errors are client errors.
func decodeObject(data []byte, v any) error {
	if !utf8.Valid(data) {
		return badRequest("body is not valid UTF-8")
	}
	return decodeSingle(data, v)
}
