// Package web holds the browser workbench of `rhetor serve`: static HTML,
// CSS and JavaScript compiled into the binary with go:embed, so the server
// never loads anything from another host.
package web

import (
	"embed"
	"io/fs"
	"net/http"
	"path"
	"strings"
)

//go:embed static
var static embed.FS

// Handler serves the workbench's files; "/" is index.html. Paths that name
// no file (directories included: no listing is ever served) go to
// notFound.
func Handler(notFound http.HandlerFunc) http.Handler {
	sub, err := fs.Sub(static, "static")
	if err != nil {
		// The embedded tree always has "static": this cannot happen.
		return notFound
	}
	files := http.FileServerFS(sub)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			name := strings.TrimPrefix(path.Clean(r.URL.Path), "/")
			if st, err := fs.Stat(sub, name); err != nil || st.IsDir() || strings.HasSuffix(r.URL.Path, "/") {
				notFound(w, r)
				return
			}
		}
		files.ServeHTTP(w, r)
	})
}
