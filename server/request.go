package server

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"unicode"
	"unicode/utf8"

	"rhetor/corpus"
	"rhetor/lang"
	"rhetor/store"
)

// ArticleRequest is the body of POST /v1/analyze and POST /v1/articles, and
// one line of an NDJSON import.
type ArticleRequest struct {
	// Text is the article, required and non-blank.
	Text string `json:"text"`
	// Lang names the language (task or ISO code); empty: identify it.
	Lang string `json:"lang,omitempty"`
	// ID identifies the article; empty: derived from the text.
	ID     string `json:"id,omitempty"`
	Source string `json:"source,omitempty"`
	URL    string `json:"url,omitempty"`
	// Date is the publication date, YYYY-MM-DD (an RFC 3339 timestamp is
	// accepted and cut to its date).
	Date string `json:"date,omitempty"`
	// line is the request's line in an NDJSON import.
	line int
}

// requestError is a client error: its message is shown to the client with
// status 400.
type requestError struct{ msg string }

func (e requestError) Error() string { return e.msg }

func badRequest(format string, args ...any) error { return requestError{fmt.Sprintf(format, args...)} }

// readBody reads a request body that MaxBytesReader limits. A body over
// the limit gives a *http.MaxBytesError.
func readBody(r *http.Request) ([]byte, error) {
	if r.Body == nil {
		return nil, nil
	}
	var buf bytes.Buffer
	if r.ContentLength > 0 && r.ContentLength < 64<<20 {
		// ReadFrom wants MinRead bytes free before each read: with them,
		// a body of the announced length is read without reallocating.
		buf.Grow(int(r.ContentLength) + bytes.MinRead)
	}
	_, err := buf.ReadFrom(r.Body)
	var mb *http.MaxBytesError
	switch {
	case err == nil, errors.As(err, &mb):
	case errors.Is(r.Context().Err(), context.DeadlineExceeded):
		// Out of time: the caller answers 503.
		err = r.Context().Err()
	case r.ContentLength > 0:
		// The client hung up or sent less than it announced: its
		// mistake, not the server's.
		err = badRequest("the request body ended after %d of the %d bytes its Content-Length announced (%v)", buf.Len(), r.ContentLength, err)
	default:
		err = badRequest("the request body could not be read after %d bytes: %v", buf.Len(), err)
	}
	return buf.Bytes(), err
}

// DecodeArticle decodes one article request: a single JSON object of valid
// UTF-8 with only the known fields, a non-blank text, and an id, language
// and date that are well formed. Without an id, the id is derived from the
// text. Errors are meant for the client.
func DecodeArticle(data []byte) (ArticleRequest, error) {
	var req ArticleRequest
	if err := decodeRequest(data, &req, "empty body: send a JSON object such as {\"text\": \"...\"}"); err != nil {
		return ArticleRequest{}, err
	}
	if err := req.check(); err != nil {
		return ArticleRequest{}, err
	}
	return req, nil
}

// decodeRequest decodes data strictly into v, a pointer to a request
// struct: one JSON object of valid UTF-8 with only the known fields, each
// given once. A blank body gives the error empty. Errors are meant for the
// client; after one, v may be partly filled and is not to be used.
func decodeRequest(data []byte, v any, empty string) error {
	if len(bytes.TrimSpace(data)) == 0 {
		return badRequest("%s", empty)
	}
	// encoding/json would silently replace invalid UTF-8 with U+FFFD.
	if !utf8.Valid(data) {
		return badRequest("body is not valid UTF-8 (first bad byte at offset %d)", corpus.InvalidUTF8(data))
	}
	if err := decodeSingle(data, v); err != nil {
		return err
	}
	return duplicateKey(data)
}

// decodeSingle decodes data, which must hold a single JSON value and
// nothing after it, into v, refusing fields v does not have. Errors are
// meant for the client.
func decodeSingle(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return badRequest("body must hold a single JSON object, but more follows it (at byte %d)", dec.InputOffset())
	}
	return nil
}

// check validates the fields and derives a missing id.
func (req *ArticleRequest) check() error {
	if strings.TrimSpace(req.Text) == "" {
		return badRequest("field \"text\" is missing or empty")
	}
	if err := corpus.CheckString(req.Text); err != nil {
		return badRequest("field \"text\": %v", err)
	}
	if req.ID == "" {
		req.ID = DeriveID(req.Text)
	}
	if len(req.ID) > corpus.MaxIDBytes {
		return badRequest("field \"id\" is longer than %d bytes", corpus.MaxIDBytes)
	}
	if strings.TrimSpace(req.ID) != req.ID || strings.ContainsFunc(req.ID, unicode.IsControl) {
		return badRequest("field \"id\" %s has surrounding spaces or control characters", quoteCut(req.ID))
	}
	if req.ID == "." || req.ID == ".." {
		// As a path segment, /v1/articles/.. is /v1/: no URL could name it.
		return badRequest("field \"id\" must not be %q: an id cannot be \".\" or \"..\"", req.ID)
	}
	if req.Lang != "" {
		if _, err := lang.Normalize(req.Lang); err != nil {
			return badRequest("field \"lang\": unknown language code %s", quoteCut(req.Lang))
		}
	}
	date, err := store.NormalizeDate(req.Date)
	if err != nil {
		return badRequest("field \"date\": %v", err)
	}
	req.Date = date
	for _, f := range []struct{ name, v string }{{"source", req.Source}, {"url", req.URL}} {
		if len(f.v) > 4096 || strings.ContainsFunc(f.v, unicode.IsControl) {
			return badRequest("field %q is longer than 4096 bytes or has control characters", f.name)
		}
	}
	return nil
}

// Article returns the request as a corpus article.
func (req ArticleRequest) Article() corpus.Article {
	return corpus.Article{ID: req.ID, Text: req.Text, Lang: req.Lang, Source: req.Source, URL: req.URL, Date: req.Date}
}

// DeriveID is the id of an article posted without one: the first 16 hex
// digits of the SHA-256 of its text.
func DeriveID(text string) string {
	sum := sha256.Sum256([]byte(text))
	return hex.EncodeToString(sum[:8])
}

// DecodeNDJSON decodes an NDJSON import: one article request per line,
// blank lines skipped. Any bad line fails the whole body, with an error
// naming the line. Articles repeating an id replace the earlier ones, so
// the result holds each id once, in order of first appearance.
func DecodeNDJSON(data []byte) ([]ArticleRequest, error) {
	var out []ArticleRequest
	at := map[string]int{}
	line := 0
	for len(data) > 0 {
		line++
		var raw []byte
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			raw, data = data[:i], data[i+1:]
		} else {
			raw, data = data, nil
		}
		if len(bytes.TrimSpace(raw)) == 0 {
			continue
		}
		req, err := DecodeArticle(raw)
		if err != nil {
			return nil, badRequest("line %d: %v", line, err)
		}
		req.line = line
		if i, ok := at[req.ID]; ok {
			out[i] = req
			continue
		}
		at[req.ID] = len(out)
		out = append(out, req)
	}
	if len(out) == 0 {
		return nil, badRequest("empty body: send one JSON article object per line")
	}
	return out, nil
}

// duplicateKey reports a key given twice in the top-level object of data,
// which must be valid JSON: encoding/json would silently keep the last
// value, so {"text":"a","text":"b"} could mean one thing to a proxy that
// checked it and another to the server.
func duplicateKey(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	if _, err := dec.Token(); err != nil {
		return jsonError(err)
	}
	seen := map[string]bool{}
	depth := 0
	for {
		tok, err := dec.Token()
		if err != nil {
			return jsonError(err)
		}
		if d, ok := tok.(json.Delim); ok {
			switch d {
			case '{', '[':
				depth++
			default:
				if depth == 0 {
					return nil
				}
				depth--
			}
			continue
		}
		if depth > 0 {
			continue
		}
		key, _ := tok.(string)
		if seen[key] {
			return badRequest("field %s is given twice", quoteCut(key))
		}
		seen[key] = true
		// The value: a string, number, literal or the start of a nested
		// value (handled by the loop).
		v, err := dec.Token()
		if err != nil {
			return jsonError(err)
		}
		if d, ok := v.(json.Delim); ok && (d == '{' || d == '[') {
			depth++
		}
	}
}

// jsonError turns a decoding error into a client message.
func jsonError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return badRequest("invalid JSON at byte %d: %s", syn.Offset, strings.TrimPrefix(syn.Error(), "json: "))
	case errors.As(err, &typ):
		if typ.Field == "" {
			return badRequest("body must be a JSON object, not %s", typ.Value)
		}
		return badRequest("field %q must be a %s, not %s", typ.Field, typ.Type, typ.Value)
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return badRequest("invalid JSON: the body ends before the object does")
	}
	msg := strings.TrimPrefix(err.Error(), "json: ")
	return badRequest("invalid request: %s", msg)
}
