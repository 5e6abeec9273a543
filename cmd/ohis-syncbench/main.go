// Command ohis-syncbench measures the catalogue syncer against the demo shop
// and prints a table:
//
//   - a full sync of 10,000 products (2,000 variable with 5 variations each)
//     over loopback with 20 ms latency per request: wall time, requests,
//     the floor (requests × latency ÷ the concurrency OHIS allows a shop),
//     the ratio to the floor (target ≤ 1.3), product and variant rows
//     written per second and OHIS's peak RSS (target < 200 MB);
//   - a re-sync of the unchanged catalogue (rows written: must be 0);
//   - the same full sync at 50,000 products (10,000 variable × 5);
//   - webhook received → product updated in the database, p50/p95/p99 at
//     100 webhooks per second (target p99 < 500 ms).
//
// Run it from the repository root:
//
//	go run ./cmd/ohis-syncbench
//	go run ./cmd/ohis-syncbench -large 0 -webhook-duration 10s
//
// The demo shops run out of process (built from ./cmd/demoshop), so the
// peak RSS (VmHWM, reset before each sync) is OHIS's alone: this process
// is the real application (internal/app, as `ohis serve` wires it) plus
// the small webhook sender. PostgreSQL is the private cluster under
// data/pgsyncbench with a fresh database, or DATABASE_URL as is.
//
// Requests are counted by OHIS's own HTTP client (every request the
// connector makes, retries included). The webhook sender plays the shop:
// it posts signed product.updated deliveries (each a newer version of a
// different product, so none is a duplicate) at a fixed rate to the
// portal's real endpoint and measures from the POST until the delivery's
// processed_at, which is set in the transaction that updates the product.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime/pprof"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/wujw/ohis/internal/app"
	"github.com/wujw/ohis/internal/audit"
	"github.com/wujw/ohis/internal/config"
	"github.com/wujw/ohis/internal/connections"
	"github.com/wujw/ohis/internal/pgcluster"
	"github.com/wujw/ohis/internal/syncer"
)

const (
	clusterDir = "data/pgsyncbench"
	database   = "ohis_syncbench"
	shopKey    = "ck_0123456789abcdef0123456789abcdef01234567"
	shopSecret = "cs_89abcdef0123456789abcdef0123456789abcdef"
)

type options struct {
	products, every, per int
	large                int
	latency              time.Duration
	concurrency          int
	webhookRate          int
	webhookDuration      time.Duration
	demoshop             string
	cpuprofile           string
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "ohis-syncbench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("ohis-syncbench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o options
	fs.IntVar(&o.products, "products", 10_000, "products of the first shop")
	fs.IntVar(&o.every, "variable-every", 5, "every Nth product is variable")
	fs.IntVar(&o.per, "variations-per", 5, "variations per variable product")
	fs.IntVar(&o.large, "large", 50_000, "products of the second shop (0: skip)")
	fs.DurationVar(&o.latency, "latency", 20*time.Millisecond, "latency the demo shops add to every request")
	fs.IntVar(&o.concurrency, "concurrency", 4, "requests OHIS may have open to one shop (OHIS_SHOP_CONCURRENCY)")
	fs.IntVar(&o.webhookRate, "webhook-rate", 100, "webhooks per second (0: skip)")
	fs.DurationVar(&o.webhookDuration, "webhook-duration", 15*time.Second, "how long to send webhooks")
	fs.StringVar(&o.demoshop, "demoshop", "", "demoshop binary (default: go build ./cmd/demoshop)")
	fs.StringVar(&o.cpuprofile, "cpuprofile", "", "write a CPU profile of the whole run to this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if o.demoshop == "" {
		dir, err := os.MkdirTemp("", "syncbench")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		o.demoshop = filepath.Join(dir, "demoshop")
		fmt.Fprintln(stderr, "building ./cmd/demoshop")
		if out, err := exec.CommandContext(ctx, "go", "build", "-o", o.demoshop, "./cmd/demoshop").CombinedOutput(); err != nil {
			return fmt.Errorf("building the demo shop (run from the repository root): %v\n%s", err, out)
		}
	}

	if o.cpuprofile != "" {
		f, err := os.Create(o.cpuprofile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	b, err := start(ctx, o, getenv, stderr)
	if err != nil {
		return err
	}
	defer b.close()

	fmt.Fprintf(stdout, "OHIS sync benchmark — %d CPUs, PostgreSQL %s, shop latency %s, concurrency %d\n\n",
		numCPU(), b.pgVersion, o.latency, o.concurrency)
	fmt.Fprintf(stdout, "%-34s %9s %9s %9s %7s %13s %10s %9s\n", "scenario", "wall", "requests", "floor", "ratio", "rows written", "rows/s", "peak RSS")
	var cpuLines []string
	line := func(name string, r syncResult) {
		fmt.Fprintf(stdout, "%-34s %9s %9d %9s %7.2f %13d %10.0f %8.0fM\n", name, r.wall.Round(time.Millisecond), r.requests,
			r.floor.Round(time.Millisecond), r.ratio(), r.written, r.rowsPerSec(), float64(r.peakRSS)/(1<<20))
		c := r.cpu
		cpuLines = append(cpuLines, fmt.Sprintf("%-34s %9s %9s %9s %9s %9s", name, fmtCPU(c.self), fmtCPU(c.pg), fmtCPU(c.shop), fmtCPU(c.other),
			fmtCPU((max(c.self, 0)+max(c.pg, 0)+max(c.shop, 0))/time.Duration(max(numCPU(), 1)))))
	}

	small, err := b.connect(ctx, o.products, o.every, o.per, "Benchmark Klein")
	if err != nil {
		return err
	}
	r, err := b.fullSync(ctx, small)
	if err != nil {
		return err
	}
	line(fmt.Sprintf("full %d (%d var. × %d)", small.products, small.variable, o.per), r)
	r, err = b.fullSync(ctx, small)
	if err != nil {
		return err
	}
	line("re-sync unchanged", r)
	if r.written != 0 {
		fmt.Fprintf(stdout, "  !! the unchanged re-sync wrote %d rows\n", r.written)
	}

	if o.large > 0 {
		large, err := b.connect(ctx, o.large, o.every, o.per, "Benchmark Groot")
		if err != nil {
			return err
		}
		r, err := b.fullSync(ctx, large)
		if err != nil {
			return err
		}
		line(fmt.Sprintf("full %d (%d var. × %d)", large.products, large.variable, o.per), r)
		large.stop()
	}

	fmt.Fprintf(stdout, "\nCPU time during each sync (seconds; the machine has %d CPUs)\n", numCPU())
	fmt.Fprintf(stdout, "%-34s %9s %9s %9s %9s %9s\n", "scenario", "OHIS", "Postgres", "shop", "other", "÷ CPUs")
	for _, l := range cpuLines {
		fmt.Fprintln(stdout, l)
	}

	if o.webhookRate > 0 {
		w, err := b.webhooks(ctx, small, o.webhookRate, o.webhookDuration)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "\nwebhooks: %d sent at %d/s for %s; %d applied, %d other\n", w.sent, o.webhookRate, o.webhookDuration, w.applied, w.other)
		fmt.Fprintf(stdout, "  answer (POST → HTTP response)        p50 %7s  p95 %7s  p99 %7s  max %7s\n", fmtMS(w.answer.p(0.5)), fmtMS(w.answer.p(0.95)), fmtMS(w.answer.p(0.99)), fmtMS(w.answer.p(1)))
		fmt.Fprintf(stdout, "  applied (POST → product row written) p50 %7s  p95 %7s  p99 %7s  max %7s\n", fmtMS(w.applyLat.p(0.5)), fmtMS(w.applyLat.p(0.95)), fmtMS(w.applyLat.p(0.99)), fmtMS(w.applyLat.p(1)))
		fmt.Fprintf(stdout, "  of which: job waiting in the queue    p50 %7s  p95 %7s  p99 %7s  max %7s\n", fmtMS(w.wait.p(0.5)), fmtMS(w.wait.p(0.95)), fmtMS(w.wait.p(0.99)), fmtMS(w.wait.p(1)))
		fmt.Fprintf(stdout, "            job working                 p50 %7s  p95 %7s  p99 %7s  max %7s\n", fmtMS(w.work.p(0.5)), fmtMS(w.work.p(0.95)), fmtMS(w.work.p(0.99)), fmtMS(w.work.p(1)))
	}
	small.stop()
	fmt.Fprintln(stdout, "\nfloor = requests × latency ÷ concurrency; rows written = product and variant rows inserted or changed (xmin);")
	fmt.Fprintln(stdout, "peak RSS = VmHWM of this process (OHIS) during the sync; \"÷ CPUs\" = CPU time of OHIS, PostgreSQL and the shop over the CPUs:")
	fmt.Fprintln(stdout, "no run can be faster than that on this machine; \"other\" is CPU used by programs outside the benchmark.")
	return nil
}

// bench is the running application and its shops.
type bench struct {
	o         options
	a         *app.App
	url       string
	pgVersion string
	requests  atomic.Int64
	cleanups  []func()
	supplier  int64
	pgPID     int // the private cluster's postmaster, 0 with DATABASE_URL
}

func (b *bench) close() {
	for i := len(b.cleanups) - 1; i >= 0; i-- {
		b.cleanups[i]()
	}
}

// countingTransport counts every request OHIS makes to a shop.
type countingTransport struct {
	next http.RoundTripper
	n    *atomic.Int64
}

func (t countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	t.n.Add(1)
	return t.next.RoundTrip(r)
}

func start(ctx context.Context, o options, getenv func(string) string, stderr io.Writer) (_ *bench, err error) {
	b := &bench{o: o}
	defer func() {
		if err != nil {
			b.close()
		}
	}()
	dbURL := getenv("DATABASE_URL")
	if dbURL == "" {
		fmt.Fprintf(stderr, "starting the private PostgreSQL under %s\n", clusterDir)
		cluster, err := pgcluster.Start(ctx, pgcluster.Options{Dir: clusterDir, Install: true})
		if err != nil {
			return nil, fmt.Errorf("starting the private PostgreSQL (or set DATABASE_URL): %w", err)
		}
		if cluster.Started() {
			b.cleanups = append(b.cleanups, func() {
				stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
				defer cancel()
				_ = cluster.Stop(stopCtx)
			})
		}
		conn, err := pgx.Connect(ctx, cluster.URL("postgres"))
		if err != nil {
			return nil, err
		}
		_, err = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+database+" WITH (FORCE)")
		conn.Close(ctx)
		if err != nil {
			return nil, err
		}
		if err := cluster.EnsureDatabase(ctx, database); err != nil {
			return nil, err
		}
		dbURL = cluster.URL(database)
		b.pgPID = postmasterPID(filepath.Join(clusterDir, "data"))
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	b.url = "http://" + ln.Addr().String()
	env := map[string]string{
		"DATABASE_URL": dbURL, "OHIS_BASE_URL": b.url, "OHIS_LOG_LEVEL": "error",
		"OHIS_SESSION_KEYS": "bench:" + config.NewKey(), "OHIS_ENCRYPTION_KEYS": "bench:" + config.NewKey(),
		"OHIS_SHOP_ALLOW_PRIVATE": "true", "OHIS_SYNC_DISABLED": "true",
		"OHIS_SHOP_CONCURRENCY": fmt.Sprint(o.concurrency), "OHIS_SHOP_REQUEST_TIMEOUT": "60s",
	}
	cfg, err := config.Load(func(k string) string { return env[k] })
	if err != nil {
		return nil, err
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	b.a, err = app.New(ctx, cfg, logger, app.Options{})
	if err != nil {
		return nil, err
	}
	b.cleanups = append(b.cleanups, b.a.Close)
	if err := b.a.Pool.QueryRow(ctx, "SHOW server_version").Scan(&b.pgVersion); err != nil {
		return nil, err
	}
	// The syncer's connectors use a client that counts requests.
	client := connections.NewClient(cfg)
	client.Transport = countingTransport{next: client.Transport, n: &b.requests}
	b.a.Syncer.SetOpener(connections.New(connections.Deps{Store: b.a.Store, Box: b.a.Box, Config: cfg, Logger: logger, Client: client}))

	sup, err := b.a.Store.SupplierCreate(ctx, "Benchmark B.V.")
	if err != nil {
		return nil, err
	}
	b.supplier = sup.ID
	// The benchmark runs the syncs itself: the sync queue (the first sync
	// and webhook registration that connecting queues) stays paused, the
	// webhook queue runs.
	serveCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	served := make(chan error, 1)
	go func() { served <- b.a.Serve(serveCtx, ln) }()
	b.cleanups = append(b.cleanups, func() { cancel(); <-served })
	for try := 0; ; try++ { // the queue exists once the job runner runs
		err := b.a.River.QueuePause(ctx, syncer.QueueSync, nil)
		if err == nil {
			break
		}
		if try == 100 {
			return nil, fmt.Errorf("pausing the sync queue: %w", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return b, nil
}

// shop is a demo shop process with its connection.
type shop struct {
	pid                int
	products, variable int
	connID             int64
	base               string
	stop               func()
}

// connect starts a demo shop process and connects it (test environment of
// a supplier of its own); the jobs connecting queues are dropped, the
// benchmark runs the syncs itself.
func (b *bench) connect(ctx context.Context, products, every, per int, name string) (*shop, error) {
	cmd := exec.CommandContext(ctx, b.o.demoshop, "-addr", "127.0.0.1:0", "-products", fmt.Sprint(products),
		"-variable-every", fmt.Sprint(every), "-variations-per", fmt.Sprint(per), "-latency", b.o.latency.String(), "-brands",
		"-key", shopKey, "-secret", shopSecret)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &shop{pid: cmd.Process.Pid, products: products, variable: products / every}
	stopped := false
	s.stop = func() {
		if !stopped {
			stopped = true
			_ = cmd.Process.Signal(os.Interrupt)
			_ = cmd.Wait()
		}
	}
	b.cleanups = append(b.cleanups, s.stop)
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if base, ok := strings.CutPrefix(sc.Text(), "demoshop: "); ok {
			s.base = base
			break
		}
	}
	if s.base == "" {
		return nil, errors.New("the demo shop did not start")
	}
	go func() { _, _ = io.Copy(io.Discard, out) }()

	sup, err := b.a.Store.SupplierCreate(ctx, name)
	if err != nil {
		return nil, err
	}
	s.connID, err = b.a.Connections.Create(ctx, sup.ID, audit.Actor{Email: "benchmark"}, connections.Input{
		Environment: "test", Platform: "woocommerce", ShopURL: s.base, Key: shopKey, Secret: shopSecret})
	if err != nil {
		return nil, fmt.Errorf("connecting the shop: %w", err)
	}
	// Connecting queued a first sync and the webhook registration on the
	// paused sync queue: drop them, the benchmark syncs itself.
	var running int
	if err := b.a.Pool.QueryRow(ctx, `SELECT count(*) FROM river_job WHERE kind IN ('sync_connection', 'webhook_setup') AND state = 'running'`).Scan(&running); err != nil {
		return nil, err
	}
	if running > 0 {
		return nil, errors.New("a sync job runs although the sync queue is paused")
	}
	if _, err := b.a.Pool.Exec(ctx, `DELETE FROM river_job WHERE kind IN ('sync_connection', 'webhook_setup')`); err != nil {
		return nil, err
	}
	return s, nil
}

type syncResult struct {
	cpu      cpuUse
	wall     time.Duration
	requests int64
	floor    time.Duration
	written  int64
	peakRSS  int64
}

func (r syncResult) ratio() float64 {
	if r.floor == 0 {
		return 0
	}
	return r.wall.Seconds() / r.floor.Seconds()
}

func (r syncResult) rowsPerSec() float64 { return float64(r.written) / r.wall.Seconds() }

// fullSync runs a full sync of the shop in the foreground and measures it.
func (b *bench) fullSync(ctx context.Context, s *shop) (syncResult, error) {
	var r syncResult
	// Row versions before: a written row gets a new xmin.
	if _, err := b.a.Pool.Exec(ctx, `DROP TABLE IF EXISTS bench_xmin`); err != nil {
		return r, err
	}
	if _, err := b.a.Pool.Exec(ctx, `CREATE UNLOGGED TABLE bench_xmin AS
		SELECT 'p' AS k, id, xmin::text AS x FROM products WHERE connection_id = $1
		UNION ALL SELECT 'v', v.id, v.xmin::text FROM product_variants v JOIN products p ON p.id = v.product_id WHERE p.connection_id = $1`, s.connID); err != nil {
		return r, err
	}
	resetPeakRSS()
	before := b.requests.Load()
	cpu0 := sampleCPU(b.pgPID, s.pid)
	start := time.Now()
	if _, err := b.a.Syncer.Run(ctx, s.connID, syncer.KindFull, "benchmark", nil); err != nil {
		return r, fmt.Errorf("full sync: %w", err)
	}
	r.wall = time.Since(start)
	r.cpu = cpu0.use(sampleCPU(b.pgPID, s.pid))
	r.peakRSS = peakRSS()
	r.requests = b.requests.Load() - before
	r.floor = time.Duration(r.requests) * b.o.latency / time.Duration(b.o.concurrency)
	err := b.a.Pool.QueryRow(ctx, `SELECT count(*) FROM (
		SELECT 'p' AS k, id, xmin::text AS x FROM products WHERE connection_id = $1
		UNION ALL SELECT 'v', v.id, v.xmin::text FROM product_variants v JOIN products p ON p.id = v.product_id WHERE p.connection_id = $1
		EXCEPT SELECT k, id, x FROM bench_xmin) changed`, s.connID).Scan(&r.written)
	return r, err
}

func numCPU() int {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return 0
	}
	return strings.Count(string(b), "processor\t:")
}

// peakRSS is this process's VmHWM in bytes (Linux).
func peakRSS() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			var kb int64
			fmt.Sscan(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), &kb)
			return kb << 10
		}
	}
	return 0
}

// resetPeakRSS sets VmHWM back to the current RSS (Linux: clear_refs 5).
func resetPeakRSS() {
	_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
}

func fmtCPU(d time.Duration) string {
	if d < 0 {
		return "-"
	}
	return fmt.Sprintf("%.2f", d.Seconds())
}

func fmtMS(d time.Duration) string {
	return fmt.Sprintf("%.1fms", float64(d.Microseconds())/1000)
}
