// Command ohis is the whole of OHIS in one binary: the portal with its
// in-process job runner (serve), migrations (migrate) and operator tasks
// (user create, keygen).
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
	err := run(ctx, os.Args, os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "ohis:", err)
		os.Exit(1)
	}
}
