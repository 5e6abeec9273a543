package static

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// wantTypes lists every embedded asset with the Content-Type it must be
// served with. A new embedded file must be added here.
var wantTypes = map[string]string{
	"app.css":     "text/css; charset=utf-8",
	"htmx.min.js": "text/javascript; charset=utf-8",
	"favicon.svg": "image/svg+xml",
}

// newMux mounts Handler exactly the way the server does.
func newMux() *http.ServeMux {
	mux := http.NewServeMux()
	mux.Handle("GET /static/", Handler())
	return mux
}

func do(t *testing.T, h http.Handler, method, target string, header http.Header) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, target, nil)
	for k, vs := range header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func embedded(t *testing.T, name string) []byte {
	t.Helper()
	b, err := files.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestEmbeddedSetMatchesExpectations(t *testing.T) {
	entries, err := fs.ReadDir(files, ".")
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != len(wantTypes) {
		t.Errorf("embedded %d files, test knows %d", len(entries), len(wantTypes))
	}
	for _, e := range entries {
		if _, ok := wantTypes[e.Name()]; !ok {
			t.Errorf("embedded file %q has no expected Content-Type in the test", e.Name())
		}
	}
}

func TestURLIsChecksummed(t *testing.T) {
	for name := range wantTypes {
		sum := sha256.Sum256(embedded(t, name))
		ext := path.Ext(name)
		want := "/static/" + strings.TrimSuffix(name, ext) + "." + hex.EncodeToString(sum[:])[:8] + ext
		if got := URL(name); got != want {
			t.Errorf("URL(%q) = %q, want %q", name, got, want)
		}
	}
	if !regexp.MustCompile(`^/static/app\.[0-9a-f]{8}\.css$`).MatchString(URL("app.css")) {
		t.Errorf("URL(app.css) = %q has the wrong shape", URL("app.css"))
	}
}

func TestURLPanicsOnUnknownName(t *testing.T) {
	for _, name := range []string{"nope.css", "app.js", "", "/app.css"} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("URL(%q) did not panic", name)
				}
			}()
			URL(name)
		}()
	}
}

func TestHandlerServesEveryAsset(t *testing.T) {
	mux := newMux()
	for name, ctype := range wantTypes {
		t.Run(name, func(t *testing.T) {
			want := embedded(t, name)
			rec := do(t, mux, http.MethodGet, URL(name), nil)
			if rec.Code != http.StatusOK {
				t.Fatalf("GET %s: status %d", URL(name), rec.Code)
			}
			h := rec.Header()
			checks := map[string]string{
				"Cache-Control":          "public, max-age=31536000, immutable",
				"Content-Type":           ctype,
				"Content-Length":         strconv.Itoa(len(want)),
				"X-Content-Type-Options": "nosniff",
				"Content-Encoding":       "",
			}
			for k, v := range checks {
				if got := h.Get(k); got != v {
					t.Errorf("%s = %q, want %q", k, got, v)
				}
			}
			if etag := h.Get("ETag"); !regexp.MustCompile(`^"[0-9a-f]+"$`).MatchString(etag) {
				t.Errorf("ETag = %q, want a strong ETag", etag)
			}
			if !bytes.Equal(rec.Body.Bytes(), want) {
				t.Errorf("body differs from embedded file (%d vs %d bytes)", rec.Body.Len(), len(want))
			}
		})
	}
}

func TestHandlerHEAD(t *testing.T) {
	rec := do(t, newMux(), http.MethodHead, URL("app.css"), nil)
	if rec.Code != http.StatusOK || rec.Body.Len() != 0 {
		t.Fatalf("HEAD: status %d, %d body bytes", rec.Code, rec.Body.Len())
	}
	if got, want := rec.Header().Get("Content-Length"), strconv.Itoa(len(embedded(t, "app.css"))); got != want {
		t.Errorf("HEAD Content-Length = %q, want %q", got, want)
	}
}

func TestHandlerNotFound(t *testing.T) {
	mux := newMux()
	for _, target := range []string{
		"/static/app.00000000.css", // wrong checksum
		"/static/app.css",          // no checksum
		"/static/nope.12345678.css",
		strings.Replace(URL("htmx.min.js"), "htmx.min.", "htmx.", 1),
		URL("app.css") + "x",
		"/static/",
		"/static/static.go",
	} {
		rec := do(t, mux, http.MethodGet, target, nil)
		if rec.Code != http.StatusNotFound {
			t.Errorf("GET %s: status %d, want 404", target, rec.Code)
		}
		if cc := rec.Header().Get("Cache-Control"); strings.Contains(cc, "immutable") {
			t.Errorf("GET %s: 404 must not be cached forever, got Cache-Control %q", target, cc)
		}
	}
}

func TestHandlerGzip(t *testing.T) {
	mux := newMux()
	for name := range wantTypes {
		t.Run(name, func(t *testing.T) {
			rec := do(t, mux, http.MethodGet, URL(name), http.Header{"Accept-Encoding": {"br, gzip;q=0.8, deflate"}})
			if rec.Code != http.StatusOK {
				t.Fatalf("status %d", rec.Code)
			}
			if !strings.Contains(rec.Header().Get("Vary"), "Accept-Encoding") {
				t.Errorf("Vary = %q, want Accept-Encoding", rec.Header().Get("Vary"))
			}
			if got := rec.Header().Get("Content-Encoding"); got != "gzip" {
				t.Fatalf("Content-Encoding = %q, want gzip", got)
			}
			if got, want := rec.Header().Get("Content-Length"), strconv.Itoa(rec.Body.Len()); got != want {
				t.Errorf("Content-Length = %q, body has %s bytes", got, want)
			}
			if got, want := rec.Header().Get("Content-Type"), wantTypes[name]; got != want {
				t.Errorf("Content-Type = %q, want %q", got, want)
			}
			if rec.Header().Get("Cache-Control") != cacheControl {
				t.Errorf("Cache-Control = %q", rec.Header().Get("Cache-Control"))
			}
			zr, err := gzip.NewReader(rec.Body)
			if err != nil {
				t.Fatal(err)
			}
			plain, err := io.ReadAll(zr)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(plain, embedded(t, name)) {
				t.Error("decompressed body differs from embedded file")
			}
			if rec.Body.Len() != 0 {
				t.Error("trailing data after gzip stream")
			}
		})
	}
}

func TestHandlerGzipNegotiation(t *testing.T) {
	mux := newMux()
	for ae, wantGzip := range map[string]bool{
		"":                  false,
		"gzip":              true,
		"GZIP":              true,
		"x-gzip":            true,
		"*":                 true,
		"gzip;q=0":          false,
		"gzip; q=0.000":     false,
		"*;q=0":             false,
		"*, gzip;q=0":       false,
		"br, deflate":       false,
		"identity":          false,
		"deflate, gzip;q=1": true,
	} {
		h := http.Header{}
		if ae != "" {
			h.Set("Accept-Encoding", ae)
		}
		rec := do(t, mux, http.MethodGet, URL("htmx.min.js"), h)
		if got := rec.Header().Get("Content-Encoding") == "gzip"; got != wantGzip {
			t.Errorf("Accept-Encoding %q: gzip = %v, want %v", ae, got, wantGzip)
		}
	}
}

func TestHandlerConditionalGet(t *testing.T) {
	mux := newMux()
	for _, ae := range []string{"", "gzip"} {
		h := http.Header{}
		if ae != "" {
			h.Set("Accept-Encoding", ae)
		}
		first := do(t, mux, http.MethodGet, URL("app.css"), h)
		etag := first.Header().Get("ETag")
		h.Set("If-None-Match", `"other", `+etag)
		rec := do(t, mux, http.MethodGet, URL("app.css"), h)
		if rec.Code != http.StatusNotModified || rec.Body.Len() != 0 {
			t.Errorf("Accept-Encoding %q, If-None-Match %s: status %d, %d body bytes; want 304 without body",
				ae, etag, rec.Code, rec.Body.Len())
		}
		if rec.Header().Get("ETag") != etag || rec.Header().Get("Cache-Control") != cacheControl {
			t.Errorf("304 lacks ETag/Cache-Control: %v", rec.Header())
		}
	}
	plain := do(t, mux, http.MethodGet, URL("app.css"), nil).Header().Get("ETag")
	gz := do(t, mux, http.MethodGet, URL("app.css"), http.Header{"Accept-Encoding": {"gzip"}}).Header().Get("ETag")
	if plain == gz {
		t.Errorf("identity and gzip representations share ETag %s", plain)
	}
	stale := do(t, mux, http.MethodGet, URL("app.css"), http.Header{"If-None-Match": {`"deadbeef"`}})
	if stale.Code != http.StatusOK {
		t.Errorf("non-matching If-None-Match: status %d, want 200", stale.Code)
	}
}

func TestHandlerMethodNotAllowed(t *testing.T) {
	// Called directly, without the mux's "GET" method restriction.
	rec := do(t, Handler(), http.MethodPost, URL("app.css"), nil)
	if rec.Code != http.StatusMethodNotAllowed || rec.Header().Get("Allow") != "GET, HEAD" {
		t.Errorf("POST: status %d, Allow %q", rec.Code, rec.Header().Get("Allow"))
	}
}

func TestHandlerBehindStripPrefix(t *testing.T) {
	h := http.StripPrefix("/static/", Handler())
	if rec := do(t, h, http.MethodGet, URL("favicon.svg"), nil); rec.Code != http.StatusOK {
		t.Errorf("behind StripPrefix: status %d", rec.Code)
	}
}

func TestHTMXVersionPinned(t *testing.T) {
	if !strings.HasPrefix(HTMXVersion, "2.") {
		t.Errorf("HTMXVersion = %q, want a 2.x release", HTMXVersion)
	}
	js := embedded(t, "htmx.min.js")
	if !bytes.Contains(js, []byte(`version:"`+HTMXVersion+`"`)) {
		t.Errorf("htmx.min.js does not contain version:%q", HTMXVersion)
	}
	readme, err := os.ReadFile("README.md") // tests run in the package directory
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(readme, []byte("htmx.org@"+HTMXVersion)) {
		t.Errorf("README.md does not mention htmx.org@%s", HTMXVersion)
	}
}

// TestCSSDefinesTemplateClasses guards the class names the templates rely on.
func TestCSSDefinesTemplateClasses(t *testing.T) {
	css := string(embedded(t, "app.css"))
	for _, sel := range []string{
		".skip-link", ".topbar", ".brand", ".userbox", ".shell", ".sidenav",
		`a[aria-current="page"]`, "main.content", ".page-header", ".actions", "footer.footer",
		".card", ".card-grid", ".stack", ".row", ".muted", ".small", ".mono",
		".btn", ".btn-primary", ".btn-secondary", ".btn-danger", ".btn-link", "form.inline button",
		".form", ".field", ".field label", ".hint", ".field-error", ".field.has-error", ".checkbox",
		"fieldset", "legend",
		".flash", ".flash-success", ".flash-error", ".flash-info", ".error-summary",
		"table.data", ".table-wrap", "th[aria-sort", ".num",
		".badge", ".badge-ok", ".badge-warn", ".badge-error", ".badge-neutral",
		".auth-page", ".auth-card", ".error-page", ".error-code", ".filters", ".pagination",
		".htmx-indicator", ".htmx-request", ".demo-logins",
		".incident-alert", ".incident-inline", ".sync-progress", ".check-steps", ".check-fail", // webshop connections
		"prefers-reduced-motion", "@media print", "@media (max-width: 799.98px)",
	} {
		if !strings.Contains(css, sel) {
			t.Errorf("app.css lacks %s", sel)
		}
	}
	if strings.Count(css, "{") != strings.Count(css, "}") {
		t.Error("app.css has unbalanced braces")
	}
	if strings.Contains(css, "@import") || strings.Contains(css, "url(") {
		t.Error("app.css must not load external resources")
	}
}
