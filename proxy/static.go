package proxy

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"net/http"
	"strings"
)

// staticFS holds the homepage and the scripts injected into proxied pages.
//
//go:embed static/index.html static/app.js static/style.css static/hammerhead.js static/rammerhead.js
var staticFS embed.FS

// staticFiles maps a URL path to its embedded file and content type.
var staticFiles = map[string]struct{ file, ctype string }{
	"/":              {"static/index.html", "text/html; charset=utf-8"},
	"/index.html":    {"static/index.html", "text/html; charset=utf-8"},
	"/app.js":        {"static/app.js", "text/javascript; charset=utf-8"},
	"/style.css":     {"static/style.css", "text/css; charset=utf-8"},
	"/hammerhead.js": {"static/hammerhead.js", "text/javascript; charset=utf-8"},
	"/rammerhead.js": {"static/rammerhead.js", "text/javascript; charset=utf-8"},
}

// staticRoutes registers the embedded files on mux.
func (s *Server) staticRoutes(mux *http.ServeMux) {
	for path, f := range staticFiles {
		body, err := staticFS.ReadFile(f.file)
		if err != nil {
			panic("proxy: embedded file missing: " + f.file) // caught by the build's tests
		}
		sum := sha256.Sum256(body)
		etag := `"` + hex.EncodeToString(sum[:8]) + `"`
		ctype := f.ctype
		pattern := "GET " + path
		if path == "/" {
			pattern = "GET /{$}"
		}
		mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
			h := w.Header()
			h.Set("Content-Type", ctype)
			h.Set("Cache-Control", "no-cache")
			h.Set("ETag", etag)
			h.Set("X-Content-Type-Options", "nosniff")
			if strings.Contains(r.Header.Get("If-None-Match"), etag) {
				w.WriteHeader(http.StatusNotModified)
				return
			}
			if r.Method == http.MethodHead {
				return
			}
			_, _ = w.Write(body)
		})
	}
}

// isStaticPattern reports whether a mux pattern serves an embedded file.
func isStaticPattern(pattern string) bool {
	if pattern == "GET /{$}" {
		return true
	}
	_, ok := staticFiles[strings.TrimPrefix(pattern, "GET ")]
	return ok
}
