// Package static embeds the portal's front-end assets (stylesheet, htmx,
// favicon) and serves them under content-hashed URLs so that they can be
// cached forever by browsers and proxies.
//
// Templates refer to assets through [URL]; the server mounts [Handler]:
//
//	mux.Handle("GET /static/", static.Handler())
//
//	<link rel="stylesheet" href={ static.URL("app.css") }>
//	<script src={ static.URL("htmx.min.js") } defer></script>
//
// htmx.min.js is htmx.org 2.0.11, taken unmodified from dist/htmx.min.js of
// the npm package htmx.org@2.0.11 (licence 0BSD). See README.md for how to
// upgrade it.
package static

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"
)

// HTMXVersion is the exact htmx.org release embedded as htmx.min.js
// (npm htmx.org@2.0.11, dist/htmx.min.js). Keep it in sync with the file
// and with README.md when upgrading; a test checks the file against it.
const HTMXVersion = "2.0.11"

// Prefix is the URL path prefix under which [Handler] must be mounted and
// which [URL] puts in front of every asset path.
const Prefix = "/static/"

// cacheControl is sent with every asset: the URL changes whenever the
// content does, so the response never has to be revalidated.
const cacheControl = "public, max-age=31536000, immutable"

//go:embed htmx.min.js app.css favicon.svg
var files embed.FS

// contentTypes pins the media types of the asset extensions we ship, so
// the result does not depend on the host's mime.types files.
var contentTypes = map[string]string{
	".css": "text/css; charset=utf-8",
	".js":  "text/javascript; charset=utf-8",
	".svg": "image/svg+xml",
}

// asset is one embedded file with everything needed to serve it.
type asset struct {
	hashedName  string // e.g. "app.3f2a9c1b.css"
	contentType string
	body        []byte
	etag        string // strong ETag of body
	gzBody      []byte // nil when gzip does not make the file smaller
	gzETag      string // strong ETag of gzBody
}

// assetTable indexes the embedded files by logical and by hashed name.
type assetTable struct {
	byName   map[string]*asset // "app.css" -> asset
	byHashed map[string]*asset // "app.3f2a9c1b.css" -> asset
}

// assets builds the table on first use (hashing and gzip-compressing every
// file once) and returns the same table afterwards.
var assets = sync.OnceValue(loadAssets)

func loadAssets() *assetTable {
	entries, err := fs.ReadDir(files, ".")
	if err != nil {
		panic("static: reading embedded files: " + err.Error())
	}
	t := &assetTable{
		byName:   make(map[string]*asset, len(entries)),
		byHashed: make(map[string]*asset, len(entries)),
	}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		name := e.Name()
		body, err := files.ReadFile(name)
		if err != nil {
			panic("static: reading " + name + ": " + err.Error())
		}
		sum := sha256.Sum256(body)
		full := hex.EncodeToString(sum[:])
		ext := path.Ext(name)
		a := &asset{
			hashedName:  strings.TrimSuffix(name, ext) + "." + full[:8] + ext,
			contentType: contentType(name, body),
			body:        body,
			etag:        `"` + full[:32] + `"`,
		}
		if gz := gzipBytes(body); len(gz) < len(body) {
			a.gzBody = gz
			a.gzETag = `"` + full[:32] + `-gzip"`
		}
		t.byName[name] = a
		t.byHashed[a.hashedName] = a
	}
	return t
}

func contentType(name string, body []byte) string {
	ext := path.Ext(name)
	if ct, ok := contentTypes[ext]; ok {
		return ct
	}
	if ct := mime.TypeByExtension(ext); ct != "" {
		return ct
	}
	return http.DetectContentType(body)
}

func gzipBytes(b []byte) []byte {
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		panic(err) // only for an invalid level
	}
	// Writes to a bytes.Buffer cannot fail.
	_, _ = zw.Write(b)
	_ = zw.Close()
	return buf.Bytes()
}

// URL returns the checksummed public path of an asset, e.g.
// URL("app.css") == "/static/app.3f2a9c1b.css". The checksum is the first
// 8 hex digits of the SHA-256 of the file's contents, inserted before the
// extension. URL panics on an unknown name: that is a programming error,
// caught by tests.
func URL(name string) string {
	a, ok := assets().byName[name]
	if !ok {
		panic(fmt.Sprintf("static: unknown asset %q", name))
	}
	return Prefix + a.hashedName
}

// Handler serves the embedded assets at their checksummed paths. Mount it
// at [Prefix]:
//
//	mux.Handle("GET /static/", static.Handler())
//
// The handler strips the prefix itself (it also works behind
// http.StripPrefix). Responses carry Cache-Control: public,
// max-age=31536000, immutable, an exact Content-Type, Content-Length, a
// strong ETag (a matching If-None-Match yields 304) and
// X-Content-Type-Options: nosniff. HEAD is answered without a body. When the
// request accepts gzip, a precompressed body is sent with
// Content-Encoding: gzip. An unknown name or a stale or wrong checksum is
// a 404; methods other than GET and HEAD get 405.
func Handler() http.Handler {
	t := assets() // build the table now rather than on the first request
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
			return
		}
		name, ok := strings.CutPrefix(r.URL.Path, Prefix)
		if !ok {
			name = strings.TrimPrefix(r.URL.Path, "/")
		}
		a, ok := t.byHashed[name]
		if !ok {
			w.Header().Set("Cache-Control", "no-cache")
			http.NotFound(w, r)
			return
		}

		h := w.Header()
		body, etag := a.body, a.etag
		gz := false
		if a.gzBody != nil {
			h.Add("Vary", "Accept-Encoding")
			if acceptsGzip(r.Header.Values("Accept-Encoding")) {
				body, etag, gz = a.gzBody, a.gzETag, true
			}
		}
		h.Set("Cache-Control", cacheControl)
		h.Set("ETag", etag)
		if etagMatches(r.Header.Get("If-None-Match"), etag) {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		h.Set("Content-Type", a.contentType)
		h.Set("X-Content-Type-Options", "nosniff")
		if gz {
			h.Set("Content-Encoding", "gzip")
		}
		h.Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(http.StatusOK)
		if r.Method != http.MethodHead {
			_, _ = w.Write(body)
		}
	})
}

// etagMatches reports whether an If-None-Match header value matches etag,
// using the weak comparison RFC 9110 prescribes for If-None-Match.
func etagMatches(ifNoneMatch, etag string) bool {
	if ifNoneMatch == "" {
		return false
	}
	for candidate := range strings.SplitSeq(ifNoneMatch, ",") {
		candidate = strings.TrimSpace(candidate)
		if candidate == "*" || strings.TrimPrefix(candidate, "W/") == etag {
			return true
		}
	}
	return false
}

// acceptsGzip reports whether Accept-Encoding header values allow gzip,
// honouring q-values: "gzip;q=0" refuses it, "*" accepts it unless gzip is
// listed explicitly.
func acceptsGzip(values []string) bool {
	gzipQ, starQ := -1.0, -1.0
	for _, v := range values {
		for part := range strings.SplitSeq(v, ",") {
			coding, params, _ := strings.Cut(part, ";")
			q := 1.0
			for p := range strings.SplitSeq(params, ";") {
				k, val, found := strings.Cut(strings.TrimSpace(p), "=")
				if found && strings.EqualFold(strings.TrimSpace(k), "q") {
					f, err := strconv.ParseFloat(strings.TrimSpace(val), 64)
					if err != nil {
						f = 0
					}
					q = f
				}
			}
			switch strings.ToLower(strings.TrimSpace(coding)) {
			case "gzip", "x-gzip":
				gzipQ = max(gzipQ, q)
			case "*":
				starQ = max(starQ, q)
			}
		}
	}
	if gzipQ >= 0 {
		return gzipQ > 0
	}
	return starQ > 0
}
