// Command ohis-bench is the portal's performance benchmark: it puts a fixed
// number of concurrent clients on a few pages and prints requests per second
// and p50/p95/p99/max latency per scenario. The target is p95 under 20 ms with
// 50 clients on the 2-core development machine.
//
// Run it from the repository root:
//
//	go run ./cmd/ohis-bench
//	go run ./cmd/ohis-bench -clients 50 -duration 10s -warmup 2s -scenarios login-page,start-admin,start-supplier
//	go run ./cmd/ohis-bench -scenarios start-admin -cpuprofile cpu.pprof && go tool pprof -top cpu.pprof
//	go run ./cmd/ohis-bench -url http://localhost:8080   # a portal started with `ohis serve --demo`
//
// Without -url it builds the real application in-process (internal/app, the
// same wiring as `ohis serve`) on a fresh database "ohis_bench" in the private
// PostgreSQL cluster under data/pgbench (installed and started when needed,
// stopped again at the end if this run started it), or on DATABASE_URL as is
// when that is set. It loads the demo data and serves on a real TCP listener
// on 127.0.0.1, so every request goes through the HTTP stack and all
// middleware. The load generator then runs in the same process and competes
// with the portal and PostgreSQL for the same CPUs; the output says so. Use
// -url to run the generator elsewhere against an already running portal.
//
// Flags:
//
//	-clients N       concurrent clients (default 50)
//	-duration D      measured time per scenario (default 10s)
//	-warmup D        unmeasured load before each measurement (default 2s)
//	-think D         pause of each client between its requests (default 0:
//	                 the next request at once, which saturates the portal)
//	-scenarios LIST  comma-separated, from: login-page (GET /inloggen,
//	                 anonymous), start-admin (GET / as the demo admin, the
//	                 heaviest start page), start-supplier (GET / as a demo
//	                 supplier user)
//	-url URL         benchmark this running portal instead of an in-process one
//	-email, -password  account for the logged-in scenarios; default the demo
//	                 account of the scenario's role and the demo password. The
//	                 page is checked for the role's content, so an account of
//	                 another role shows up as errors.
//	-cpuprofile FILE write a CPU profile of this process over each measured
//	                 window (FILE, or FILE with ".<scenario>" before the
//	                 extension when several scenarios run)
//
// Every client is a goroutine with its own HTTP client and keep-alive
// connection and, for logged-in scenarios, its own session (one login per
// client before the measurement; a login costs an argon2id hash). Clients
// send the next request as soon as the previous one is answered (closed
// loop; -think adds a pause), so without think time the portal is saturated
// and by Little's law the mean latency is clients divided by throughput. A
// request counts only when it answered 200 and the page holds the
// scenario's markers; anything else is an error, counted separately and left
// out of the latencies, and makes the command exit with status 1.
//
// The cpu columns (Linux only) split the CPU time of the measured window,
// as a share of all CPUs of the machine, into this process (portal and load
// generator together when in-process), PostgreSQL (the private cluster only)
// and other programs; a high "other" means the numbers are disturbed. The
// "cpu per request" lines turn that into the most requests per second the
// machine could serve and, without think time, the least mean latency that
// allows at the given number of clients.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args, os.Getenv, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "ohis-bench:", err)
		os.Exit(1)
	}
}
