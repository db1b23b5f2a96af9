// Package extract reduces an HTML page to the text of its article, one
// paragraph a line as rhetor reads articles, with Readability (the Go port
// of Mozilla's Readability.js maintained by Readeck,
// codeberg.org/readeck/go-readability): navigation, advertising, comments
// and other clutter are left out, not only the tags.
package extract

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"unicode"

	readability "codeberg.org/readeck/go-readability/v2"
	"codeberg.org/readeck/go-readability/v2/render"

	"rhetor/lang"
)

// Document is an HTML page reduced to its article.
type Document struct {
	// Title is the article's title (the page's, or its first heading).
	Title string `json:"title"`
	// Byline names the author, when the page says.
	Byline string `json:"byline,omitempty"`
	// Lang is the page's declared language as an ISO 639-1 code, when it
	// declares a known one.
	Lang string `json:"lang,omitempty"`
	// Date is the publication date the page's metadata gives, YYYY-MM-DD.
	Date string `json:"date,omitempty"`
	// Text is the article: the title, then its paragraphs, one a line, a
	// blank line between paragraphs (as in the SemEval article files).
	Text string `json:"text"`
}

// ErrNoArticle is returned for a page without article text.
var ErrNoArticle = errors.New("no article text found in the HTML")

// ErrBadURL is returned for a page URL that is not an absolute http(s) URL.
var ErrBadURL = errors.New("not an absolute http(s) URL")

// HTML reduces page, an HTML document, to its article. pageURL, when not
// empty, is the page's http(s) address, used to resolve its relative links.
func HTML(page, pageURL string) (Document, error) {
	var u *url.URL
	if pageURL != "" {
		var err error
		u, err = url.Parse(pageURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return Document{}, fmt.Errorf("extract: %q: %w", pageURL, ErrBadURL)
		}
	}
	art, err := readability.FromReader(strings.NewReader(page), u)
	if err != nil {
		return Document{}, fmt.Errorf("extract: %w", err)
	}
	if art.Node == nil {
		return Document{}, ErrNoArticle
	}
	body := paragraphs(render.InnerText(art.Node))
	if body == "" {
		return Document{}, ErrNoArticle
	}
	doc := Document{Title: oneLine(art.Title()), Byline: oneLine(art.Byline())}
	if code, err := lang.Normalize(art.Language()); err == nil && code != lang.Undetermined {
		doc.Lang = code
	}
	if t, err := art.PublishedTime(); err == nil {
		doc.Date = t.Format("2006-01-02")
	}
	first, _, _ := strings.Cut(body, "\n")
	if doc.Title != "" && first != doc.Title {
		body = doc.Title + "\n\n" + body
	}
	doc.Text = body
	return doc, nil
}

// paragraphs turns rendered text into rhetor's layout: every line with its
// white space runs made one space and trimmed, no control characters, runs
// of blank lines made one blank line, none at either end.
func paragraphs(text string) string {
	var b bytes.Buffer
	blank := false
	for line := range strings.Lines(text) {
		l := oneLine(line)
		if l == "" {
			blank = b.Len() > 0
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('\n')
			if blank {
				b.WriteByte('\n')
			}
		}
		b.WriteString(l)
		blank = false
	}
	return b.String()
}

// oneLine is s with its runs of white space and control characters made
// one space, trimmed, and invalid UTF-8 replaced.
func oneLine(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }), " ")
}
