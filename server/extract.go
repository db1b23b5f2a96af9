package server

import (
	"errors"
	"net/http"
	"strings"
	"unicode"

	"rhetor/extract"
)

// ExtractRequest is the body of POST /v1/extract.
type ExtractRequest struct {
	// HTML is the page, required.
	HTML string `json:"html"`
	// URL is the page's http(s) address, optional.
	URL string `json:"url,omitempty"`
}

// DecodeExtract decodes an extraction request as strictly as DecodeArticle
// decodes an article: one JSON object of valid UTF-8, the known fields once
// each, a non-blank html and a well-formed url. Errors are meant for the
// client.
func DecodeExtract(data []byte) (ExtractRequest, error) {
	var req ExtractRequest
	if err := decodeRequest(data, &req, "empty body: send a JSON object such as {\"html\": \"<html>…\"}"); err != nil {
		return ExtractRequest{}, err
	}
	if strings.TrimSpace(req.HTML) == "" {
		return ExtractRequest{}, badRequest("field \"html\" is missing or empty")
	}
	if len(req.URL) > 4096 || strings.ContainsFunc(req.URL, unicode.IsControl) {
		return ExtractRequest{}, badRequest("field \"url\" is longer than 4096 bytes or has control characters")
	}
	return req, nil
}

// handleExtract implements POST /v1/extract: an HTML page reduced to its
// article's text by Readability, to analyse or store; nothing is stored.
func (s *Server) handleExtract(w http.ResponseWriter, r *http.Request) {
	_, body, err := requestBody(r, false)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	req, err := DecodeExtract(body)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	// Parsing a page is work of the size of an analysis: it takes a slot.
	select {
	case s.slots <- struct{}{}:
	case <-r.Context().Done():
		s.fail(w, r, r.Context().Err())
		return
	}
	doc, err := extract.HTML(req.HTML, req.URL)
	<-s.slots
	switch {
	case errors.Is(err, extract.ErrNoArticle):
		s.fail(w, r, badRequest("field \"html\": %v", err))
		return
	case errors.Is(err, extract.ErrBadURL):
		s.fail(w, r, badRequest("field \"url\" %s is not an absolute http(s) URL", quoteCut(req.URL)))
		return
	case err != nil:
		s.fail(w, r, badRequest("field \"html\": %v", err))
		return
	}
	s.writeJSON(w, http.StatusOK, doc)
}
