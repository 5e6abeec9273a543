package main

import (
	"io"
	"strings"
	"testing"
	"time"
)

func TestPercentilesAreNearestRank(t *testing.T) {
	r := result{duration: 2 * time.Second}
	for i := 1; i <= 100; i++ {
		r.latencies = append(r.latencies, time.Duration(i)*time.Millisecond)
	}
	for q, want := range map[float64]time.Duration{0.50: 50 * time.Millisecond, 0.95: 95 * time.Millisecond, 0.99: 99 * time.Millisecond} {
		if got := r.p(q); got != want {
			t.Errorf("p(%v) = %v, want %v", q, got, want)
		}
	}
	if r.max() != 100*time.Millisecond || r.rate() != 50 {
		t.Errorf("max %v, rate %v; want 100ms, 50", r.max(), r.rate())
	}
	if (result{}).p(0.95) != 0 {
		t.Error("percentile of nothing should be 0")
	}
}

func TestParseFlags(t *testing.T) {
	o, err := parseFlags(nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if o.clients != 50 || o.duration != 10*time.Second || o.warmup != 2*time.Second || len(o.scenarios) != 3 {
		t.Errorf("defaults: %+v", o)
	}
	o, err = parseFlags([]string{"-scenarios", "start-admin", "-url", "http://localhost:8080/"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if len(o.scenarios) != 1 || o.scenarios[0].name != "start-admin" || o.url != "http://localhost:8080" {
		t.Errorf("got %+v", o)
	}
	for _, args := range [][]string{
		{"-scenarios", "start-nobody"},
		{"-clients", "0"},
		{"-url", "localhost:8080"},
		{"-duration", "10m"},
	} {
		if _, err := parseFlags(args, io.Discard); err == nil {
			t.Errorf("%q accepted", args)
		}
	}
}

func TestProfilePath(t *testing.T) {
	if got := profilePath("cpu.pprof", "start-admin", false); got != "cpu.pprof" {
		t.Errorf("one scenario: %s", got)
	}
	if got := profilePath("out/cpu.pprof", "start-admin", true); got != "out/cpu.start-admin.pprof" {
		t.Errorf("several scenarios: %s", got)
	}
}

func TestFmtDur(t *testing.T) {
	for d, want := range map[time.Duration]string{
		1234 * time.Microsecond:  "1.23ms",
		34567 * time.Microsecond: "34.6ms",
		234 * time.Millisecond:   "234ms",
		0:                        "-",
	} {
		if got := fmtDur(d); got != want {
			t.Errorf("fmtDur(%v) = %s, want %s", d, got, want)
		}
	}
}

func TestTableHasAllColumns(t *testing.T) {
	var b strings.Builder
	printTable(&b, []result{{name: "login-page", clients: 50, duration: time.Second,
		latencies: []time.Duration{time.Millisecond}, cpu: cpuUse{self: "10%", pg: "0%", other: "1%"}}})
	for _, col := range []string{"scenario", "req/s", "p95", "errors", "login-page", "1.00ms"} {
		if !strings.Contains(b.String(), col) {
			t.Errorf("table lacks %q:\n%s", col, b.String())
		}
	}
}
