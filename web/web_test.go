package web

import (
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"path"
	"regexp"
	"strings"
	"testing"
)

// TestHandler serves the page and its assets with the types a browser
// needs to run ES modules under X-Content-Type-Options: nosniff.
func TestHandler(t *testing.T) {
	srv := httptest.NewServer(Handler(http.NotFound))
	defer srv.Close()
	for p, want := range map[string]string{
		"/":            "text/html",
		"/style.css":   "text/css",
		"/js/app.js":   "text/javascript",
		"/favicon.svg": "image/svg+xml",
	} {
		resp, err := http.Get(srv.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), want) || len(body) == 0 {
			t.Errorf("GET %s: %s, %q, %d bytes; want 200 %s", p, resp.Status, resp.Header.Get("Content-Type"), len(body), want)
		}
	}
	resp, err := http.Get(srv.URL + "/js/missing.js")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET a missing file: %s", resp.Status)
	}
}

var (
	// unsafeJS are the ways script could turn data into markup or code.
	unsafeJS = regexp.MustCompile(`\.(innerHTML|outerHTML)\s*[+]?=|insertAdjacentHTML\(|document\.write|\beval\(|new Function\(|setAttribute\(\s*["']on|setAttribute\(\s*["']style|\.srcdoc\b`)
	// externalRef finds resources loaded from another host.
	externalRef = regexp.MustCompile(`(?i)(\b(src|href)\s*=\s*["']?\s*(https?:)?//)|url\(\s*["']?\s*(https?:)?//|@import|\bfrom\s+["'](https?:)?//|import\(\s*["'](https?:)?//`)
	// moduleImport finds the static imports of a module.
	moduleImport = regexp.MustCompile(`(?m)^import\s+[^;]*?from\s+"([^"]+)";`)
	inlineScript = regexp.MustCompile(`(?is)<script\b([^>]*)>(.*?)</script>`)
	inlineEvent  = regexp.MustCompile(`(?i)<[^>]+\son[a-z]+\s*=`)
)

// TestStaticFiles checks the workbench's sources: no HTML built from strings
// (all text goes through textContent, createTextNode or setAttribute), no
// inline script or event handler (the server's Content-Security-Policy
// would refuse them), nothing loaded from another host, and every module
// import resolving to an embedded file.
func TestStaticFiles(t *testing.T) {
	sub, err := fs.Sub(static, "static")
	if err != nil {
		t.Fatal(err)
	}
	var modules int
	err = fs.WalkDir(sub, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(sub, p)
		if err != nil {
			return err
		}
		src := string(b)
		if m := externalRef.FindString(src); m != "" {
			t.Errorf("%s loads from another host: %q", p, m)
		}
		switch path.Ext(p) {
		case ".js":
			modules++
			if m := unsafeJS.FindString(src); m != "" {
				t.Errorf("%s: %q builds markup or code from strings", p, m)
			}
			for _, m := range moduleImport.FindAllStringSubmatch(src, -1) {
				target := path.Join(path.Dir(p), m[1])
				if _, err := fs.Stat(sub, target); err != nil {
					t.Errorf("%s imports %s: %v", p, m[1], err)
				}
			}
		case ".html":
			for _, m := range inlineScript.FindAllStringSubmatch(src, -1) {
				if !strings.Contains(m[1], "src=") || strings.TrimSpace(m[2]) != "" {
					t.Errorf("%s has an inline script: %q", p, m[0])
				}
			}
			if m := inlineEvent.FindString(src); m != "" {
				t.Errorf("%s has an inline event handler: %q", p, m)
			}
			if strings.Contains(src, "style=") {
				t.Errorf("%s has an inline style attribute", p)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if modules < 5 {
		t.Errorf("found %d modules", modules)
	}
}
