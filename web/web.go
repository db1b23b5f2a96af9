// Package web holds the browser workbench of `rhetor serve`: static HTML,
// CSS and JavaScript compiled into the binary with go:embed, so the server
// never loads anything from another host.
package web

import (
	"embed"
	"io/fs"
	"net/http"
)

//go:embed static
var static embed.FS

// Handler serves the workbench's files; "/" is index.html.
func Handler() http.Handler {
	sub, err := fs.Sub(static, "static")
	if err != nil {
		// The embedded tree always has "static": this cannot happen.
		return http.NotFoundHandler()
	}
	return http.FileServer(http.FS(sub))
}
