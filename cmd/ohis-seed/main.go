// Command ohis-seed fills the application's database with a large,
// reproducible synced catalogue (internal/catalogseed): suppliers admitted
// to production with their connections, categories, brands, products (a
// share variable, with variants) and curation decisions. The same flags
// always give the same catalogue.
//
//	go run ./cmd/ohis-seed                                # 20 suppliers × 5,000 products
//	go run ./cmd/ohis-seed -suppliers 2 -products 500 -seed 3
//	go run ./cmd/ohis-seed -env production,acceptance -production 80 -approved 60
//
// It uses the database `ohis serve` uses (DATABASE_URL, or the private
// cluster under the data folder), migrates it first, and writes everything
// in one transaction. Seeding twice into one database fails: the suppliers'
// names are fixed. It refuses to run in production mode (OHIS_MODE).
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
		fmt.Fprintln(os.Stderr, "ohis-seed:", err)
		os.Exit(1)
	}
}
