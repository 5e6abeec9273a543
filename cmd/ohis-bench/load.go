package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"maps"
	"math"
	"net"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"time"
)

type loadConfig struct {
	base       string
	scenario   scenario
	clients    int
	warmup     time.Duration
	duration   time.Duration
	think      time.Duration
	email      string // for logged-in scenarios
	password   string
	cpuprofile string // "" for none
	pgPID      int    // postmaster of the database server when local, else 0
	progress   io.Writer
}

// result is what one scenario measured.
type result struct {
	name      string
	clients   int
	duration  time.Duration
	latencies []time.Duration // successful requests in the window, sorted
	errors    int
	// errorSamples are a few distinct error messages with their counts.
	errorSamples []string
	cpu          cpuUse
}

func (r result) rate() float64 { return float64(len(r.latencies)) / r.duration.Seconds() }

// p is the q-quantile by the nearest-rank method.
func (r result) p(q float64) time.Duration {
	n := len(r.latencies)
	if n == 0 {
		return 0
	}
	i := int(math.Ceil(q*float64(n))) - 1
	return r.latencies[max(0, min(i, n-1))]
}

func (r result) max() time.Duration {
	if len(r.latencies) == 0 {
		return 0
	}
	return r.latencies[len(r.latencies)-1]
}

// client is one simulated user: its own connection pool (one keep-alive
// connection, since it sends one request at a time) and session.
type client struct {
	http    *http.Client
	base    string
	cookie  string // Cookie header after login
	buf     bytes.Buffer
	markers [][]byte

	latencies []time.Duration
	errors    int
	errorMsgs map[string]int
}

func newClient(cfg loadConfig) *client {
	tr := &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        2,
		MaxIdleConnsPerHost: 2,
		IdleConnTimeout:     90 * time.Second,
	}
	c := &client{
		http: &http.Client{
			Transport:     tr,
			Timeout:       30 * time.Second,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		base:      cfg.base,
		errorMsgs: map[string]int{},
		// Room for 20k requests per second in total without growing.
		latencies: make([]time.Duration, 0, max(1024, int(cfg.duration.Seconds()*20000)/cfg.clients)),
	}
	for _, m := range cfg.scenario.markers {
		c.markers = append(c.markers, []byte(m))
	}
	return c
}

// post sends a form the way the portal's own pages do (same-origin, so
// cross-origin protection lets it through) and drains the answer.
func (c *client) post(ctx context.Context, path string, form url.Values) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+path, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.Header.Set("Origin", c.base)
	if c.cookie != "" {
		req.Header.Set("Cookie", c.cookie)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp, nil
}

// login starts a session and keeps its cookie.
func (c *client) login(ctx context.Context, email, password string) error {
	resp, err := c.post(ctx, "/inloggen", url.Values{"email": {email}, "password": {password}})
	if err != nil {
		return fmt.Errorf("logging in as %s: %w", email, err)
	}
	if resp.StatusCode != http.StatusSeeOther {
		return fmt.Errorf("logging in as %s: status %d, want 303", email, resp.StatusCode)
	}
	var parts []string
	for _, ck := range resp.Cookies() {
		if ck.Value != "" && ck.MaxAge >= 0 {
			parts = append(parts, ck.Name+"="+ck.Value)
		}
	}
	if len(parts) == 0 {
		return fmt.Errorf("logging in as %s: no session cookie", email)
	}
	c.cookie = strings.Join(parts, "; ")
	return nil
}

func (c *client) logout(ctx context.Context) {
	if c.cookie != "" {
		_, _ = c.post(ctx, "/uitloggen", nil)
	}
}

// get fetches path and checks the answer is the intended page.
func (c *client) get(ctx context.Context, path string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+path, nil)
	if err != nil {
		return err
	}
	if c.cookie != "" {
		req.Header.Set("Cookie", c.cookie)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	c.buf.Reset()
	_, err = c.buf.ReadFrom(resp.Body)
	resp.Body.Close()
	if err != nil {
		return fmt.Errorf("reading the answer: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		if loc := resp.Header.Get("Location"); loc != "" {
			return fmt.Errorf("status %d to %s", resp.StatusCode, loc)
		}
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	for _, m := range c.markers {
		if !bytes.Contains(c.buf.Bytes(), m) {
			return fmt.Errorf("status 200 but %s missing from the page", m)
		}
	}
	return nil
}

func (c *client) fail(err error) {
	c.errors++
	msg := err.Error()
	if _, ok := c.errorMsgs[msg]; ok || len(c.errorMsgs) < 8 {
		c.errorMsgs[msg]++
	}
}

// runScenario logs every client in, starts them together, runs the warm-up
// and measures the window after it.
func runScenario(ctx context.Context, cfg loadConfig) (result, error) {
	clients := make([]*client, cfg.clients)
	for i := range clients {
		clients[i] = newClient(cfg)
	}
	defer func() {
		for _, c := range clients {
			c.http.CloseIdleConnections()
		}
	}()

	// Log in (argon2id costs CPU and memory, so a few at a time) and check
	// that each client gets the intended page before anything is measured.
	if cfg.scenario.role != "" {
		fmt.Fprintf(cfg.progress, "%s: logging in %d clients as %s\n", cfg.scenario.name, cfg.clients, cfg.email)
	}
	if err := forEach(clients, runtime.NumCPU(), func(c *client) error {
		if cfg.scenario.role != "" {
			if err := c.login(ctx, cfg.email, cfg.password); err != nil {
				return err
			}
		}
		if err := c.get(ctx, cfg.scenario.path); err != nil {
			return fmt.Errorf("first GET %s: %w", cfg.scenario.path, err)
		}
		return nil
	}); err != nil {
		return result{}, err
	}
	if cfg.scenario.role != "" {
		defer func() {
			_ = forEach(clients, cfg.clients, func(c *client) error { c.logout(context.WithoutCancel(ctx)); return nil })
		}()
	}

	start := time.Now()
	measureFrom := start.Add(cfg.warmup)
	end := measureFrom.Add(cfg.duration)
	var wg sync.WaitGroup
	for _, c := range clients {
		wg.Go(func() {
			for ctx.Err() == nil {
				t0 := time.Now()
				if !t0.Before(end) {
					return
				}
				err := c.get(ctx, cfg.scenario.path)
				took := time.Since(t0)
				switch {
				case t0.Before(measureFrom):
				case err != nil:
					if ctx.Err() == nil {
						c.fail(err)
					}
				default:
					c.latencies = append(c.latencies, took)
				}
				if cfg.think > 0 {
					_ = sleepUntil(ctx, time.Now().Add(cfg.think))
				}
			}
		})
	}

	// Sample CPU use and profile over exactly the measured window.
	var cpu cpuUse
	err := func() error {
		if err := sleepUntil(ctx, measureFrom); err != nil {
			return err
		}
		if cfg.warmup > 0 {
			fmt.Fprintf(cfg.progress, "%s: measuring\n", cfg.scenario.name)
		}
		var prof *os.File
		if cfg.cpuprofile != "" {
			f, err := os.Create(cfg.cpuprofile)
			if err != nil {
				return err
			}
			prof = f
			if err := pprof.StartCPUProfile(f); err != nil {
				f.Close()
				return err
			}
		}
		before := sampleCPU(cfg.pgPID)
		sleepErr := sleepUntil(ctx, end)
		cpu = before.use(sampleCPU(cfg.pgPID))
		if prof != nil {
			pprof.StopCPUProfile()
			if err := prof.Close(); err != nil {
				return err
			}
			fmt.Fprintf(cfg.progress, "%s: CPU profile in %s\n", cfg.scenario.name, cfg.cpuprofile)
		}
		return sleepErr
	}()
	wg.Wait()
	if err != nil {
		return result{}, err
	}

	r := result{name: cfg.scenario.name, clients: cfg.clients, duration: cfg.duration, cpu: cpu}
	n := 0
	for _, c := range clients {
		n += len(c.latencies)
	}
	r.latencies = make([]time.Duration, 0, n)
	msgs := map[string]int{}
	for _, c := range clients {
		r.latencies = append(r.latencies, c.latencies...)
		r.errors += c.errors
		for m, k := range c.errorMsgs {
			msgs[m] += k
		}
	}
	slices.Sort(r.latencies)
	for _, m := range slices.Sorted(maps.Keys(msgs)) {
		if len(r.errorSamples) == 5 {
			break
		}
		r.errorSamples = append(r.errorSamples, fmt.Sprintf("%dx %s", msgs[m], m))
	}
	return r, nil
}

// forEach runs f for every client, at most n at a time, and returns the
// first error with the number of further failures.
func forEach(clients []*client, n int, f func(*client) error) error {
	sem := make(chan struct{}, max(1, n))
	errs := make([]error, len(clients))
	var wg sync.WaitGroup
	for i, c := range clients {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			errs[i] = f(c)
		})
	}
	wg.Wait()
	errs = slices.DeleteFunc(errs, func(e error) bool { return e == nil })
	switch len(errs) {
	case 0:
		return nil
	case 1:
		return errs[0]
	}
	return fmt.Errorf("%w (and %d more clients failed)", errs[0], len(errs)-1)
}

func sleepUntil(ctx context.Context, t time.Time) error {
	timer := time.NewTimer(time.Until(t))
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
