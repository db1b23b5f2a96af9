package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"rhetor/analyze"
	"rhetor/corpus"
	"rhetor/store"
)

// AnalyzeResponse is the body of POST /v1/analyze: the document `rhetor
// analyze --json` prints, for one article.
type AnalyzeResponse struct {
	Articles []*analyze.Result `json:"articles"`
	Errors   []AnalyzeError    `json:"errors"`
}

// AnalyzeError is an entry of AnalyzeResponse.Errors (always empty here:
// a failed analysis is an error response).
type AnalyzeError struct {
	Input string `json:"input,omitempty"`
	Error string `json:"error"`
}

// ImportResponse is the body answering an NDJSON POST /v1/articles, and
// each line of its progress.
type ImportResponse struct {
	// Articles counts the distinct ids of the import; Done those handled
	// so far (stored or unchanged).
	Articles int `json:"articles"`
	Done     int `json:"done"`
	Created  int `json:"created"`
	Replaced int `json:"replaced"`
	// Unchanged counts the articles skipped because the same input was
	// stored already (same id, text, language given, source, URL, date and
	// model).
	Unchanged int `json:"unchanged"`
	// Error, in the last progress line only, says why the import stopped.
	Error string `json:"error,omitempty"`
}

// ErrorResponse is the body of every error response.
type ErrorResponse struct {
	Error string `json:"error"`
}

// handleAnalyze implements POST /v1/analyze: analysis only, the store is
// not touched.
func (s *Server) handleAnalyze(w http.ResponseWriter, r *http.Request) {
	_, body, err := requestBody(r, false)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	req, err := DecodeArticle(body)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	res, err := s.analyze(r.Context(), req.Article())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.writeJSONIndent(w, http.StatusOK, AnalyzeResponse{Articles: []*analyze.Result{res}, Errors: []AnalyzeError{}})
}

// analyze runs one analysis when a slot is free, giving up when ctx ends,
// and counts it when it succeeds. A text over MaxWords is refused (413);
// one over HeavyWords waits for a heavy slot first, so that heavy
// analyses leave slots free for ordinary ones.
func (s *Server) analyze(ctx context.Context, art corpus.Article) (*analyze.Result, error) {
	words := store.Words(art.Text)
	if words > s.cfg.MaxWords {
		return nil, statusError{http.StatusRequestEntityTooLarge, fmt.Sprintf("field \"text\" has %d words, more than this server analyses in one request (%d; rhetor serve --max-words)", words, s.cfg.MaxWords)}
	}
	if words > HeavyWords {
		select {
		case s.heavy <- struct{}{}:
		case <-ctx.Done():
			return nil, fmt.Errorf("waiting for one of the %d slots for texts over %d words: %w", cap(s.heavy), HeavyWords, ctx.Err())
		}
		defer func() { <-s.heavy }()
	}
	select {
	case s.slots <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-s.slots }()
	res, err := s.cfg.Analyzer.Analyze(ctx, art)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		// The request was validated: what is left is the text itself.
		return nil, badRequest("%v", err)
	}
	s.metrics.analyses.Add(1)
	return res, nil
}

// handlePutArticles implements POST /v1/articles: one JSON article, or an
// NDJSON import (see importNDJSON).
func (s *Server) handlePutArticles(w http.ResponseWriter, r *http.Request) {
	ndjson, body, err := requestBody(r, true)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if ndjson {
		s.importNDJSON(w, r, body)
		return
	}
	req, err := DecodeArticle(body)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	rec, err := s.record(r.Context(), req)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	created, err := s.cfg.Store.Put(r.Context(), rec)
	if err != nil {
		s.fail(w, r, fmt.Errorf("store article %s: %w", rec.ID, err))
		return
	}
	s.metrics.storeWrites.Add(1)
	// The stored record carries the time the store set.
	if got, err := s.cfg.Store.Get(r.Context(), rec.ID); err == nil {
		rec = got
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
		w.Header().Set("Location", "/v1/articles/"+url.PathEscape(rec.ID))
	}
	s.writeJSON(w, status, rec)
}

// requestBody checks a POST's Content-Type (see bodyType), then reads its
// body.
func requestBody(r *http.Request, ndjsonOK bool) (ndjson bool, body []byte, err error) {
	if ndjson, err = bodyType(r, ndjsonOK); err != nil {
		return false, nil, err
	}
	body, err = readBody(r)
	return ndjson, body, err
}

// bodyType checks a POST's Content-Type: application/json, or for an
// import (when ndjsonOK) application/x-ndjson, reported as ndjson. Other
// types are refused, which also keeps other sites' pages from posting to a
// server on loopback: a browser sends these types cross-origin only after
// a CORS preflight, which this server never approves.
func bodyType(r *http.Request, ndjsonOK bool) (ndjson bool, err error) {
	ct := r.Header.Get("Content-Type")
	mt, _, perr := mime.ParseMediaType(ct)
	switch {
	case perr == nil && mt == "application/json":
		return false, nil
	case perr == nil && ndjsonOK && (mt == "application/x-ndjson" || mt == "application/jsonl"):
		return true, nil
	}
	want := "application/json"
	if ndjsonOK {
		want += " (or application/x-ndjson for an import)"
	}
	if ct == "" {
		ct = "none"
	}
	return false, statusError{http.StatusUnsupportedMediaType, fmt.Sprintf("Content-Type must be %s, not %s", want, ct)}
}

// record analyses a request into a store record.
func (s *Server) record(ctx context.Context, req ArticleRequest) (store.Record, error) {
	art := req.Article()
	res, err := s.analyze(ctx, art)
	if err != nil {
		return store.Record{}, err
	}
	rec, err := store.NewRecord(art, res)
	if err != nil {
		return store.Record{}, badRequest("article %s: %v", art.ID, err)
	}
	return rec, nil
}

// ImportBatch is the number of articles of an NDJSON import analysed and
// committed together.
const ImportBatch = 100

// importNDJSON checks every line, then analyses and stores the articles in
// batches of ImportBatch, each committed in one transaction; articles whose
// input (store.InputHash) is stored already are skipped. With "Accept:
// application/x-ndjson" it answers one ImportResponse line per batch as it
// is committed (progress), the last one final.
func (s *Server) importNDJSON(w http.ResponseWriter, r *http.Request, body []byte) {
	reqs, err := DecodeNDJSON(body)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	progress := acceptsNDJSON(r)
	ctx := r.Context()
	sum := ImportResponse{Articles: len(reqs)}
	rc := http.NewResponseController(w)
	if progress {
		w.Header().Set("Content-Type", "application/x-ndjson")
		w.WriteHeader(http.StatusOK)
	}
	for start := 0; start < len(reqs); start += ImportBatch {
		batch := reqs[start:min(start+ImportBatch, len(reqs))]
		err := s.importBatch(ctx, batch, &sum)
		if err != nil {
			if sum.Done > 0 {
				err = fmt.Errorf("%w (%d of the %d articles were stored or unchanged before; send the import again to resume: unchanged articles are skipped)", err, sum.Done, sum.Articles)
			}
			if progress {
				sum.Error = s.message(r, err)
				s.writeLine(w, sum)
				return
			}
			s.fail(w, r, err)
			return
		}
		if progress && sum.Done < sum.Articles {
			s.writeLine(w, sum)
			rc.Flush()
		}
	}
	if progress {
		s.writeLine(w, sum)
		return
	}
	s.writeJSON(w, http.StatusOK, sum)
}

// importBatch analyses and stores one batch of an import, skipping the
// articles stored from the same input, and adds to sum.
func (s *Server) importBatch(ctx context.Context, batch []ArticleRequest, sum *ImportResponse) (err error) {
	defer func() {
		if errors.Is(err, context.DeadlineExceeded) {
			err = statusError{http.StatusServiceUnavailable, fmt.Sprintf("the import took longer than the server's limit of %s for imports", s.cfg.ImportTimeout)}
		}
	}()
	ids := make([]string, len(batch))
	for i, req := range batch {
		ids[i] = req.ID
	}
	stored, err := s.cfg.Store.InputHashes(ctx, ids)
	if err != nil {
		return fmt.Errorf("look up %d stored articles: %w", len(ids), err)
	}
	modelName := s.cfg.Analyzer.Model().ID()
	var todo []ArticleRequest
	for _, req := range batch {
		if h, ok := stored[req.ID]; ok && h == store.InputHash(req.Article(), modelName) {
			sum.Unchanged++
			continue
		}
		todo = append(todo, req)
	}
	recs := make([]store.Record, len(todo))
	errs := make([]error, len(todo))
	// Analyse on as many goroutines as there are analysis slots; the slots
	// keep single analyses from other clients going meanwhile.
	var wg sync.WaitGroup
	next := make(chan int)
	for range cap(s.slots) {
		wg.Go(func() {
			for i := range next {
				recs[i], errs[i] = s.record(ctx, todo[i])
			}
		})
	}
	for i := range todo {
		if ctx.Err() != nil {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return err
	}
	for i, err := range errs {
		if err != nil {
			var re requestError
			var se statusError
			switch {
			case errors.As(err, &se):
				se.msg = fmt.Sprintf("line %d (id %s): %s", todo[i].line, quoteCut(todo[i].ID), se.msg)
				err = se
			case errors.As(err, &re):
				err = badRequest("line %d (id %s): %v", todo[i].line, quoteCut(todo[i].ID), err)
			}
			return err
		}
	}
	if len(recs) > 0 {
		created, err := s.cfg.Store.PutMany(ctx, recs)
		if err != nil {
			return fmt.Errorf("store %d articles: %w", len(recs), err)
		}
		s.metrics.storeWrites.Add(uint64(len(recs)))
		sum.Created += created
		sum.Replaced += len(recs) - created
	}
	sum.Done += len(batch)
	return nil
}

// acceptsNDJSON reports whether r asks for import progress lines.
func acceptsNDJSON(r *http.Request) bool {
	for _, a := range r.Header.Values("Accept") {
		for _, part := range strings.Split(a, ",") {
			if mt, _, err := mime.ParseMediaType(strings.TrimSpace(part)); err == nil && mt == "application/x-ndjson" {
				return true
			}
		}
	}
	return false
}

// isNDJSON reports whether r's body is an NDJSON import.
func isNDJSON(r *http.Request) bool {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return err == nil && (mt == "application/x-ndjson" || mt == "application/jsonl")
}

// writeLine writes v as one line of an NDJSON response.
func (s *Server) writeLine(w http.ResponseWriter, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		s.cfg.Logger.Error("encode response line", "err", err)
		return
	}
	w.Write(append(b, '\n'))
}

// handleListArticles implements GET /v1/articles.
func (s *Server) handleListArticles(w http.ResponseWriter, r *http.Request) {
	// store.List gives an empty (not nil) Articles for an empty page.
	serveQuery(s, w, r, true, "list articles", s.cfg.Store.List, func(page store.Page, _ string) (string, [][]string) {
		return "articles.csv", articlesCSV(page.Articles)
	})
}

// serveQuery answers a GET on the stored articles: it parses the filter and
// format from the URL's query (see parseQuery; list for a listing), runs
// query with the filter and writes its result as JSON or, for format=csv,
// as the CSV file that toCSV names and fills for the table asked for; what
// names the query in errors.
func serveQuery[T any](s *Server, w http.ResponseWriter, r *http.Request, list bool, what string,
	query func(context.Context, store.Filter) (T, error), toCSV func(v T, table string) (filename string, rows [][]string)) {
	f, format, table, err := parseQuery(r.URL.Query(), list)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	qctx, cancel := context.WithTimeout(r.Context(), s.cfg.QueryTimeout)
	defer cancel()
	v, err := query(qctx, f)
	if err != nil {
		if qctx.Err() != nil && r.Context().Err() == nil {
			err = statusError{http.StatusServiceUnavailable, fmt.Sprintf("the query took longer than the server's query limit of %s: narrow it with more filters or fewer words", s.cfg.QueryTimeout)}
		}
		s.fail(w, r, fmt.Errorf("%s: %w", what, err))
		return
	}
	if format == "csv" {
		filename, rows := toCSV(v, table)
		writeCSV(w, filename, rows)
		return
	}
	s.writeJSON(w, http.StatusOK, v)
}

// handleGetArticle implements GET /v1/articles/{id}.
func (s *Server) handleGetArticle(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	rec, err := s.cfg.Store.Get(r.Context(), id)
	if err != nil {
		s.fail(w, r, notFound(id, err))
		return
	}
	s.writeJSON(w, http.StatusOK, rec)
}

// handleDeleteArticle implements DELETE /v1/articles/{id}.
func (s *Server) handleDeleteArticle(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if err := s.cfg.Store.Delete(r.Context(), id); err != nil {
		s.fail(w, r, notFound(id, err))
		return
	}
	s.metrics.storeWrites.Add(1)
	w.WriteHeader(http.StatusNoContent)
}

// handleFragments implements GET /v1/fragments: the technique fragments of
// the stored articles, with the listing's filters, min_score, and q also
// required of the fragment.
func (s *Server) handleFragments(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	minScore := 0.0
	if v := q.Get("min_score"); v != "" {
		if len(q["min_score"]) > 1 {
			s.fail(w, r, badRequest("query parameter \"min_score\" is given %d times", len(q["min_score"])))
			return
		}
		n, err := strconv.ParseFloat(v, 64)
		if err != nil || n < 0 || n > 1 {
			s.fail(w, r, badRequest("min_score %s is not a number from 0 to 1", quoteCut(v)))
			return
		}
		minScore = n
	}
	q.Del("min_score")
	r.URL.RawQuery = q.Encode()
	serveQuery(s, w, r, true, "fragments", func(ctx context.Context, f store.Filter) (store.FragmentPage, error) {
		if f.Sort != "" {
			return store.FragmentPage{}, badRequest("sort does not apply to /v1/fragments (newest article first, then text order)")
		}
		return s.cfg.Store.Fragments(ctx, store.FragmentQuery{Filter: f, MinScore: minScore})
	}, func(p store.FragmentPage, _ string) (string, [][]string) {
		return "fragments.csv", fragmentsCSV(p.Fragments)
	})
}

// handleStats implements GET /v1/stats.
func (s *Server) handleStats(w http.ResponseWriter, r *http.Request) {
	serveQuery(s, w, r, false, "stats", s.cfg.Store.Stats, func(st store.Stats, table string) (string, [][]string) {
		return "stats-" + table + ".csv", statsCSV(st, table)
	})
}

// Taxonomy is the body of GET /v1/taxonomy.
type Taxonomy struct {
	Genres     []string        `json:"genres"`
	Frames     []Definition    `json:"frames"`
	Categories []CategoryEntry `json:"categories"`
}

// Definition is a label with its one-line definition.
type Definition struct {
	Name       string `json:"name"`
	Definition string `json:"definition"`
}

// CategoryEntry is a technique category with its techniques.
type CategoryEntry struct {
	Name       string       `json:"name"`
	Techniques []Definition `json:"techniques"`
}

// NewTaxonomy returns the labels the model decides, with their definitions.
func NewTaxonomy() Taxonomy {
	t := Taxonomy{Genres: append([]string(nil), corpus.Genres...)}
	for _, f := range corpus.Frames {
		d, _ := corpus.Definition(f)
		t.Frames = append(t.Frames, Definition{f, d})
	}
	for _, c := range corpus.Categories {
		ce := CategoryEntry{Name: c.Name}
		for _, tech := range c.Techniques {
			d, _ := corpus.Definition(tech)
			ce.Techniques = append(ce.Techniques, Definition{tech, d})
		}
		t.Categories = append(t.Categories, ce)
	}
	return t
}

func (s *Server) handleTaxonomy(w http.ResponseWriter, r *http.Request) {
	s.writeJSON(w, http.StatusOK, NewTaxonomy())
}

// Health is the body of GET /healthz.
type Health struct {
	Status string `json:"status"`
	Store  string `json:"store"`
	Model  string `json:"model"`
	Error  string `json:"error,omitempty"`
}

// handleHealth is the liveness check: the process serves requests. It does
// not depend on the store, so that an orchestrator does not restart the
// server while PostgreSQL is down (/readyz says that).
func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	s.writeJSON(w, http.StatusOK, Health{Status: "ok", Store: s.cfg.Store.Backend(), Model: s.cfg.Analyzer.Model().Info.Name})
}

func notFound(id string, err error) error {
	if errors.Is(err, store.ErrNotFound) {
		return statusError{http.StatusNotFound, fmt.Sprintf("article %s not found", quoteCut(id))}
	}
	return fmt.Errorf("article %s: %w", quoteCut(id), err)
}

// statusError is an error answered with its own status and message.
type statusError struct {
	status int
	msg    string
}

func (e statusError) Error() string { return e.msg }

// fail answers err with the status it calls for: 400 for bad requests, 413
// for bodies over the limit, 503 when the request ran out of time, 500
// (logged, with a generic message) for anything else.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	status, msg := s.classify(r, err)
	s.writeError(w, status, msg)
}

// message is the client's message for err (see fail).
func (s *Server) message(r *http.Request, err error) string {
	_, msg := s.classify(r, err)
	return msg
}

// classify returns the status and client message for err, counting and
// logging internal errors.
func (s *Server) classify(r *http.Request, err error) (int, string) {
	var re requestError
	var se statusError
	var mb *http.MaxBytesError
	switch {
	case errors.As(err, &mb):
		return http.StatusRequestEntityTooLarge, fmt.Sprintf("request body larger than %d bytes", mb.Limit)
	case errors.As(err, &se):
		return se.status, suffix(err, se.msg)
	case errors.As(err, &re):
		return http.StatusBadRequest, err.Error()
	case errors.Is(err, store.ErrInvalidFilter):
		return http.StatusBadRequest, err.Error()
	case errors.Is(err, context.DeadlineExceeded):
		msg := fmt.Sprintf("the request took longer than the server's limit of %s", s.cfg.Timeout)
		if full := err.Error(); strings.Contains(full, "slots for texts over") {
			msg += " (" + strings.TrimSuffix(full, ": "+context.DeadlineExceeded.Error()) + ")"
		}
		return http.StatusServiceUnavailable, msg
	case errors.Is(err, context.Canceled):
		// The client went away: nobody reads the answer.
		return http.StatusServiceUnavailable, "request cancelled"
	default:
		s.metrics.internalErrors.Add(1)
		s.cfg.Logger.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		return http.StatusInternalServerError, "internal error (see the server log)"
	}
}

// suffix returns msg followed by what err's message adds after it (the
// resume advice an import wraps around a statusError), or msg.
func suffix(err error, msg string) string {
	full := err.Error()
	if i := strings.LastIndex(full, msg); i >= 0 {
		return full[i:]
	}
	return msg
}

// maxErrorBytes bounds an error message: whatever a client sent, the
// answer does not echo more than a line of it.
const maxErrorBytes = 1024

func (s *Server) writeError(w http.ResponseWriter, status int, msg string) {
	if len(msg) > maxErrorBytes {
		cut := maxErrorBytes
		for cut > 0 && !utf8.RuneStart(msg[cut]) {
			cut--
		}
		msg = msg[:cut] + "…"
	}
	s.writeJSON(w, status, ErrorResponse{Error: msg})
}

// writeJSON encodes v compactly into a pooled buffer, then writes it with
// its length.
func (s *Server) writeJSON(w http.ResponseWriter, status int, v any) {
	s.writeEncoded(w, status, v, false)
}

// writeJSONIndent writes v indented as `rhetor analyze --json` prints it.
func (s *Server) writeJSONIndent(w http.ResponseWriter, status int, v any) {
	s.writeEncoded(w, status, v, true)
}

func (s *Server) writeEncoded(w http.ResponseWriter, status int, v any, indent bool) {
	eb, _ := s.bufs.Get().(*encodeBuffer)
	if eb == nil {
		eb = newEncodeBuffer()
	}
	eb.buf.Reset()
	defer func() {
		// Keep the buffers of ordinary responses, not of the rare huge one.
		if eb.buf.Cap() <= 4<<20 {
			s.bufs.Put(eb)
		}
	}()
	enc := eb.compact
	if indent {
		enc = eb.indent
	}
	if err := enc.Encode(v); err != nil {
		s.cfg.Logger.Error("encode response", "err", err)
		http.Error(w, `{"error":"internal error: encoding the response failed"}`, http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(eb.buf.Len()))
	w.WriteHeader(status)
	w.Write(eb.buf.Bytes())
}

// encodeBuffer is a response buffer with encoders writing to it; reusing
// the indenting encoder reuses its indentation buffer too.
type encodeBuffer struct {
	buf             bytes.Buffer
	compact, indent *json.Encoder
}

func newEncodeBuffer() *encodeBuffer {
	eb := &encodeBuffer{}
	eb.compact = json.NewEncoder(&eb.buf)
	eb.indent = json.NewEncoder(&eb.buf)
	eb.indent.SetIndent("", "  ")
	return eb
}
