package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/wujw/ohis/internal/account"
	"github.com/wujw/ohis/internal/demo"
)

// p95Target is the requirement: p95 under 20 ms with 50 clients.
const p95Target = 20 * time.Millisecond

// scenario is one page under load.
type scenario struct {
	name string
	path string
	// role is the account that logs in, "" for anonymous.
	role account.Role
	// markers must all be in the page, so a redirect, an error page or the
	// start page of another role counts as an error.
	markers []string
}

var scenarios = []scenario{
	{name: "login-page", path: "/inloggen", markers: []string{`data-testid="login-submit"`}},
	{name: "start-admin", path: "/", role: account.RoleAdmin, markers: []string{`data-testid="home-title"`, `id="recent-h"`}},
	{name: "start-supplier", path: "/", role: account.RoleSupplier, markers: []string{`data-testid="home-title"`, `Bekijk uw team`}},
}

// demoAccounts are the demo data's accounts used by default (internal/demo).
var demoAccounts = map[account.Role]string{
	account.RoleAdmin:    "beheer@demo.winstuitjewoning.nl",
	account.RoleSupplier: "info@groenewoning.example",
}

type options struct {
	clients    int
	duration   time.Duration
	warmup     time.Duration
	think      time.Duration
	scenarios  []scenario
	url        string
	email      string
	password   string
	cpuprofile string
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("ohis-bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.IntVar(&o.clients, "clients", 50, "concurrent clients")
	fs.DurationVar(&o.duration, "duration", 10*time.Second, "measured time per scenario")
	fs.DurationVar(&o.warmup, "warmup", 2*time.Second, "unmeasured load before each measurement")
	fs.DurationVar(&o.think, "think", 0, "pause of each client between its requests (0: next request at once)")
	list := fs.String("scenarios", "login-page,start-admin,start-supplier", "comma-separated scenarios")
	fs.StringVar(&o.url, "url", "", "benchmark this running portal instead of an in-process one")
	fs.StringVar(&o.email, "email", "", "account for logged-in scenarios (default: the demo account of the scenario's role)")
	fs.StringVar(&o.password, "password", demo.Password, "password for -email")
	fs.StringVar(&o.cpuprofile, "cpuprofile", "", "write a CPU profile of each measured window to this file")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments: %q", fs.Args())
	}
	switch {
	case o.clients < 1:
		return o, errors.New("-clients must be at least 1")
	case o.duration <= 0:
		return o, errors.New("-duration must be positive")
	case o.warmup < 0:
		return o, errors.New("-warmup must not be negative")
	case o.think < 0:
		return o, errors.New("-think must not be negative")
	case o.duration+o.warmup > 5*time.Minute:
		return o, errors.New("-warmup plus -duration must stay within 5m per scenario")
	}
	for _, name := range strings.Split(*list, ",") {
		name = strings.TrimSpace(name)
		if name == "" {
			continue
		}
		i := slices.IndexFunc(scenarios, func(s scenario) bool { return s.name == name })
		if i < 0 {
			var known []string
			for _, s := range scenarios {
				known = append(known, s.name)
			}
			return o, fmt.Errorf("unknown scenario %q (known: %s)", name, strings.Join(known, ", "))
		}
		o.scenarios = append(o.scenarios, scenarios[i])
	}
	if len(o.scenarios) == 0 {
		return o, errors.New("-scenarios is empty")
	}
	if o.url != "" {
		u, err := url.Parse(o.url)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return o, fmt.Errorf("-url must be an absolute http(s) URL, not %q", o.url)
		}
		o.url = strings.TrimSuffix(u.String(), "/")
	}
	return o, nil
}

// run is the whole program; main only calls it.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) (err error) {
	o, err := parseFlags(args[1:], stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}

	base, pgVersion, where := o.url, "unknown (-url mode)", "load generator in a separate process (-url)"
	pgPID := 0
	if o.url == "" {
		p, err := startPortal(ctx, getenv, stderr)
		if err != nil {
			return err
		}
		defer func() {
			fmt.Fprintln(stderr, "stopping the portal")
			err = errors.Join(err, p.stop())
		}()
		base, pgVersion, where = p.url, p.pgVersion, "load generator in-process (shares the CPUs with portal and PostgreSQL)"
		pgPID = p.pgPID
	}

	// Other programs on the machine skew the numbers: measure them first.
	before := sampleCPU(pgPID)
	if err := sleepUntil(ctx, before.wall.Add(time.Second)); err != nil {
		return err
	}
	idle := before.use(sampleCPU(pgPID))

	var results []result
	var failed []string
	for _, sc := range o.scenarios {
		email := o.email
		if email == "" && sc.role != "" {
			email = demoAccounts[sc.role]
		}
		profile := ""
		if o.cpuprofile != "" {
			profile = profilePath(o.cpuprofile, sc.name, len(o.scenarios) > 1)
		}
		fmt.Fprintf(stderr, "%s: %d clients, %s warm-up, %s measured\n", sc.name, o.clients, o.warmup, o.duration)
		r, err := runScenario(ctx, loadConfig{
			base: base, scenario: sc, clients: o.clients, warmup: o.warmup, duration: o.duration, think: o.think,
			email: email, password: o.password, cpuprofile: profile, pgPID: pgPID, progress: stderr,
		})
		if err != nil {
			return fmt.Errorf("scenario %s: %w", sc.name, err)
		}
		results = append(results, r)
		if r.errors > 0 {
			failed = append(failed, fmt.Sprintf("%s: %d", sc.name, r.errors))
		}
	}

	fmt.Fprintf(stdout, "ohis-bench %s %s/%s  GOMAXPROCS=%d  NumCPU=%d  PostgreSQL %s  %s\n",
		runtime.Version(), runtime.GOOS, runtime.GOARCH, runtime.GOMAXPROCS(0), runtime.NumCPU(), pgVersion, where)
	loop := "closed loop, no think time"
	if o.think > 0 {
		loop = "closed loop, " + o.think.String() + " think time"
	}
	fmt.Fprintf(stdout, "portal %s  %s  %s warm-up + %s measured per scenario  target p95 < %s\n",
		base, loop, o.warmup, o.duration, fmtDur(p95Target))
	fmt.Fprintf(stdout, "cpu columns: share of all %d CPUs during the measured window; self = this process, pg = PostgreSQL, other = other programs (%s before the run)\n\n",
		runtime.NumCPU(), idle.other)
	printTable(stdout, results)
	fmt.Fprintln(stdout)
	for _, r := range results {
		verdict := "met"
		if r.errors > 0 {
			verdict = "invalid (errors)"
		} else if r.p(0.95) >= p95Target {
			verdict = "MISSED"
		}
		fmt.Fprintf(stdout, "p95 target %-15s %s (p95 %s)\n", r.name+":", verdict, fmtDur(r.p(0.95)))
	}
	fmt.Fprintln(stdout)
	for _, r := range results {
		n := len(r.latencies) + r.errors
		if n == 0 || r.cpu.selfTime == 0 {
			continue
		}
		perReq := r.cpu.selfTime / time.Duration(n)
		if o.url != "" {
			fmt.Fprintf(stdout, "cpu per request %-15s %s in the load generator\n", r.name+":", fmtDur(perReq))
			continue
		}
		line := fmt.Sprintf("cpu per request %-15s %s this process", r.name+":", fmtDur(perReq))
		if r.cpu.pgTime >= 0 {
			pg := r.cpu.pgTime / time.Duration(n)
			perReq += pg
			// With every CPU busy on these requests alone, and by Little's
			// law the mean latency of the closed loop at that rate.
			ceiling := float64(runtime.NumCPU()) / perReq.Seconds()
			line += fmt.Sprintf(" + %s PostgreSQL => at most %.0f req/s on %d CPUs", fmtDur(pg), ceiling, runtime.NumCPU())
			if o.think == 0 {
				line += fmt.Sprintf(", mean latency >= %s at %d clients",
					fmtDur(time.Duration(float64(r.clients)/ceiling*float64(time.Second))), r.clients)
			}
		}
		fmt.Fprintln(stdout, line)
	}
	for _, r := range results {
		for _, e := range r.errorSamples {
			fmt.Fprintf(stdout, "error %s: %s\n", r.name, e)
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("requests failed (%s); the numbers above do not measure the intended pages", strings.Join(failed, ", "))
	}
	return nil
}

// profilePath names the profile file of one scenario: the file itself, or
// with the scenario name before the extension when several scenarios run.
func profilePath(file, scenario string, several bool) string {
	if !several {
		return file
	}
	ext := filepath.Ext(file)
	return strings.TrimSuffix(file, ext) + "." + scenario + ext
}

func printTable(w io.Writer, results []result) {
	const format = "%-15s %-8s %-10s %-9s %-8s %-8s %-8s %-8s %-7s %-9s %-7s %s\n"
	fmt.Fprintf(w, format, "scenario", "clients", "requests", "req/s", "p50", "p95", "p99", "max", "errors", "cpu:self", "cpu:pg", "cpu:other")
	for _, r := range results {
		fmt.Fprintf(w, format, r.name, fmt.Sprint(r.clients), fmt.Sprint(len(r.latencies)),
			fmt.Sprintf("%.1f", r.rate()), fmtDur(r.p(0.50)), fmtDur(r.p(0.95)), fmtDur(r.p(0.99)), fmtDur(r.max()),
			fmt.Sprint(r.errors), r.cpu.self, r.cpu.pg, r.cpu.other)
	}
}

// fmtDur prints a latency in milliseconds with about three significant digits.
func fmtDur(d time.Duration) string {
	ms := float64(d) / float64(time.Millisecond)
	switch {
	case d == 0:
		return "-"
	case ms < 10:
		return fmt.Sprintf("%.2fms", ms)
	case ms < 100:
		return fmt.Sprintf("%.1fms", ms)
	default:
		return fmt.Sprintf("%.0fms", ms)
	}
}
