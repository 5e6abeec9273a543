package demoshop

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

type testShop struct {
	*Shop
	srv *httptest.Server
}

func startShop(t *testing.T, opts Options) *testShop {
	t.Helper()
	s := New(opts)
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(func() {
		srv.Close()
		s.Close()
	})
	return &testShop{s, srv}
}

type result struct {
	code int
	h    http.Header
	body []byte
}

func (r result) json(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %q: %v", truncate(r.body), err)
	}
}

func truncate(b []byte) string {
	if len(b) > 300 {
		return string(b[:300]) + "…"
	}
	return string(b)
}

func (ts *testShop) call(t *testing.T, method, path string, body string, auth bool) result {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, ts.srv.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if auth {
		req.SetBasicAuth(ts.ConsumerKey(), ts.ConsumerSecret())
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return result{resp.StatusCode, resp.Header, b}
}

// get is an authenticated GET that must answer 200.
func (ts *testShop) get(t *testing.T, path string) result {
	t.Helper()
	r := ts.call(t, http.MethodGet, path, "", true)
	if r.code != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, r.code, truncate(r.body))
	}
	return r
}

func (ts *testShop) getList(t *testing.T, path string) ([]map[string]any, result) {
	t.Helper()
	r := ts.get(t, path)
	var list []map[string]any
	r.json(t, &list)
	return list, r
}

func ids(list []map[string]any) []int64 {
	out := make([]int64, len(list))
	for i, m := range list {
		out[i] = int64(m["id"].(float64))
	}
	return out
}

func wantError(t *testing.T, r result, status int, code string) {
	t.Helper()
	if r.code != status {
		t.Fatalf("status %d, want %d: %s", r.code, status, truncate(r.body))
	}
	var e struct {
		Code    string         `json:"code"`
		Message string         `json:"message"`
		Data    map[string]any `json:"data"`
	}
	r.json(t, &e)
	if e.Code != code {
		t.Fatalf("code %q, want %q (%s)", e.Code, code, e.Message)
	}
	if int(e.Data["status"].(float64)) != status {
		t.Fatalf("data.status %v, want %d", e.Data["status"], status)
	}
}

func ptr[T any](v T) *T { return &v }
