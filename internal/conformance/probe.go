package conformance

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// maxBody bounds one response the checks read.
const maxBody = 32 << 20

// maxRetryAfter caps how long the checks wait after a 429.
const maxRetryAfter = 30 * time.Second

// response is one answer of the API, fully read.
type response struct {
	status int
	header http.Header
	body   []byte
	// what is "GET <url without query>?<query>" for details (the query
	// holds no credentials: they go in the Authorization header).
	what string
}

// ok reports a 2xx status.
func (r *response) ok() bool { return r.status >= 200 && r.status <= 299 }

// array decodes a JSON array body; false when the body is not one.
func (r *response) array() ([]json.RawMessage, bool) {
	b := trimJSON(r.body)
	if len(b) == 0 || b[0] != '[' {
		return nil, false
	}
	var items []json.RawMessage
	if json.Unmarshal(b, &items) != nil {
		return nil, false
	}
	return items, true
}

// object decodes a JSON object body.
func (r *response) object() (map[string]json.RawMessage, bool) {
	b := trimJSON(r.body)
	if len(b) == 0 || b[0] != '{' {
		return nil, false
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(b, &m) != nil {
		return nil, false
	}
	return m, true
}

// headerInt reads a non-negative integer header; -1 when missing or not a
// number.
func (r *response) headerInt(name string) int {
	v := strings.TrimSpace(r.header.Get(name))
	if v == "" {
		return -1
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return -1
	}
	return n
}

// summary is the status and the start of the body, for details.
func (r *response) summary() string {
	s := fmt.Sprintf("%s → HTTP %d", r.what, r.status)
	if sn := snippet(r.body, 200); sn != "" {
		s += ": " + sn
	}
	return s
}

// prober makes the checks' own requests: HTTP Basic (unless anonymous),
// one wait after a 429, no other retries, and remembers the 429s it saw.
type prober struct {
	base   string
	key    string
	secret string
	client *http.Client
	sleep  func(ctx context.Context, d time.Duration) error

	limited       int  // 429s seen
	limitedNoWait bool // a 429 without a usable Retry-After
}

func (p *prober) get(ctx context.Context, path string, q url.Values, anonymous bool) (*response, error) {
	u := p.base + path
	what := "GET " + u
	if len(q) > 0 {
		u += "?" + q.Encode()
		what += "?" + q.Encode()
	}
	for attempt := 0; ; attempt++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return nil, err
		}
		req.Header.Set("Accept", "application/json")
		req.Header.Set("User-Agent", userAgent)
		if !anonymous {
			req.SetBasicAuth(p.key, p.secret)
		}
		resp, err := p.client.Do(req)
		if err != nil {
			return nil, fmt.Errorf("%s: %s", what, p.redact(err.Error()))
		}
		body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
		resp.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: reading body: %s", what, p.redact(err.Error()))
		}
		if len(body) > maxBody {
			return nil, fmt.Errorf("%s: body larger than %d bytes", what, maxBody)
		}
		out := &response{status: resp.StatusCode, header: resp.Header, body: body, what: what}
		if resp.StatusCode != http.StatusTooManyRequests || attempt > 0 {
			return out, nil
		}
		p.limited++
		wait, ok := retryAfter(resp.Header.Get("Retry-After"))
		if !ok {
			p.limitedNoWait = true
		}
		if err := p.sleep(ctx, wait); err != nil {
			return nil, err
		}
	}
}

func (p *prober) redact(s string) string {
	for _, v := range []string{p.secret, p.key} {
		if len(v) >= 4 {
			s = strings.ReplaceAll(s, v, "[verborgen]")
		}
	}
	return s
}

// retryAfter reads Retry-After in seconds or as an HTTP date, capped; false
// when it is missing or unreadable (then 5 seconds).
func retryAfter(v string) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if n, err := strconv.Atoi(v); err == nil && n >= 0 {
		return min(time.Duration(n)*time.Second, maxRetryAfter), true
	}
	if t, err := http.ParseTime(v); err == nil {
		return min(max(time.Until(t), 0), maxRetryAfter), true
	}
	return 5 * time.Second, false
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}

// trimJSON drops a UTF-8 byte order mark and surrounding white space.
func trimJSON(b []byte) []byte {
	return bytes.TrimSpace(bytes.TrimPrefix(b, []byte("\xef\xbb\xbf")))
}

// snippet is the start of b as one line of valid UTF-8.
func snippet(b []byte, n int) string {
	b = bytes.TrimSpace(b)
	cut := len(b) > n
	if cut {
		b = b[:n]
	}
	s := strings.ToValidUTF8(string(b), "?")
	s = strings.Map(func(r rune) rune {
		if r < ' ' || r == utf8.RuneError {
			return ' '
		}
		return r
	}, s)
	if cut {
		s += "…"
	}
	return s
}
