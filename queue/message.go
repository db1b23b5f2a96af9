package queue

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/nats-io/nats.go"

	"rhetor/corpus"
)

// Headers of dead-letter messages. The body is the original message (cut to
// fit the server's max_payload, then Rhetor-Truncated gives the original size).
const (
	HeaderReason     = "Rhetor-Reason"     // why the message was dead-lettered
	HeaderSubject    = "Rhetor-Subject"    // the subject it was published to
	HeaderSequence   = "Rhetor-Stream-Seq" // its sequence in the article stream
	HeaderDeliveries = "Rhetor-Deliveries" // how many times it was delivered
	HeaderArticle    = "Rhetor-Article-Id" // the article id, when it could be read
	HeaderSource     = "Rhetor-Source"     // FILE:LINE of a line refused by rhetor enqueue
	HeaderWorker     = "Rhetor-Worker"     // the worker (or "enqueue") that dead-lettered it
	HeaderTruncated  = "Rhetor-Truncated"  // the original body size when the body was cut
	// HeaderRequeued marks a message published again to the work queue
	// (by rhetor requeue, or by a worker that stopped while the store was
	// down), with why.
	HeaderRequeued = "Rhetor-Requeued"
)

// headerRoom is the space kept for headers when a dead-letter body is cut to
// fit max_payload.
const headerRoom = 8 << 10

// Encode returns the message body of an article: its JSON object, one line.
func Encode(a corpus.Article) ([]byte, error) {
	b, err := json.Marshal(a)
	if err != nil {
		return nil, fmt.Errorf("encode article %s: %w", a.ID, err)
	}
	return b, nil
}

// Decode reads a message body: a JSON article object as in JSONL input, with
// the same checks (valid UTF-8, an id without tabs or line breaks, a usable
// text), whose text is at most maxText bytes. Every error it returns makes
// the message poison.
func Decode(data []byte, maxText int) (corpus.Article, error) {
	if !utf8.Valid(data) {
		// encoding/json would silently replace invalid UTF-8 with U+FFFD.
		return corpus.Article{}, errors.New("invalid UTF-8 in the message")
	}
	var a corpus.Article
	if err := json.Unmarshal(data, &a); err != nil {
		return corpus.Article{}, fmt.Errorf("invalid JSON: %w", err)
	}
	if err := corpus.CheckID(a.ID); err != nil {
		if a.ID != "" {
			a.ID = truncateUTF8(a.ID, corpus.MaxIDBytes)
		}
		return a, err
	}
	if maxText > 0 && len(a.Text) > maxText {
		return a, fmt.Errorf("text of %d bytes over the limit of %d", len(a.Text), maxText)
	}
	if err := corpus.CheckString(a.Text); err != nil {
		return a, fmt.Errorf(`field "text": %w`, err)
	}
	return a, nil
}

// DeadLetter describes a message to move to the dead-letter stream.
type DeadLetter struct {
	Reason     string
	Subject    string // original subject
	Sequence   uint64 // original stream sequence (0: never stored)
	Deliveries uint64
	ArticleID  string
	Source     string // FILE:LINE for refused input lines
	Worker     string
	Body       []byte
}

// Msg builds the dead-letter message on subject, its body cut to
// maxPayload less room for the headers (maxPayload <= 0: no cut).
func (d DeadLetter) Msg(subject string, maxPayload int) *nats.Msg {
	m := nats.NewMsg(subject)
	reason := d.Reason
	if len(reason) > 1024 {
		reason = truncateUTF8(reason, 1024)
	}
	m.Header.Set(HeaderReason, headerValue(reason))
	set := func(k, v string) {
		if v != "" {
			m.Header.Set(k, headerValue(v))
		}
	}
	set(HeaderSubject, d.Subject)
	if d.Sequence > 0 {
		set(HeaderSequence, strconv.FormatUint(d.Sequence, 10))
		// A worker that dies between dead-lettering a message and
		// terminating it makes the next one dead-letter it again: the
		// dead-letter stream drops the copy within its duplicate window.
		m.Header.Set(nats.MsgIdHdr, fmt.Sprintf("dead:%s:%d", d.Subject, d.Sequence))
	}
	if d.Deliveries > 0 {
		set(HeaderDeliveries, strconv.FormatUint(d.Deliveries, 10))
	}
	set(HeaderArticle, truncateUTF8(d.ArticleID, 256))
	set(HeaderSource, d.Source)
	set(HeaderWorker, d.Worker)
	m.Data = d.Body
	if limit := maxPayload - headerRoom; maxPayload > 0 && len(d.Body) > limit {
		m.Data = d.Body[:max(limit, 0)]
		m.Header.Set(HeaderTruncated, strconv.Itoa(len(d.Body)))
	}
	return m
}

// headerValue makes s safe as a header value: no line breaks or other
// control characters, which would break the header block.
func headerValue(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
}

// truncateUTF8 cuts s to at most n bytes without splitting a character.
func truncateUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
