// Command pgstop stops the private PostgreSQL cluster in a folder (the test
// suite's data/pgtest), if it is running. scripts/test calls it at the end.
package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/wujw/ohis/internal/pgcluster"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: pgstop DIR")
		os.Exit(2)
	}
	dir := os.Args[1]
	if _, err := os.Stat(filepath.Join(dir, "data", "postmaster.pid")); err != nil {
		return // not running
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c, err := pgcluster.Start(ctx, pgcluster.Options{Dir: dir})
	if err == nil {
		err = c.Stop(ctx)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "pgstop:", err)
		os.Exit(1)
	}
}
