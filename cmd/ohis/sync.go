package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/wujw/ohis/internal/app"
	"github.com/wujw/ohis/internal/config"
	"github.com/wujw/ohis/internal/store"
	"github.com/wujw/ohis/internal/syncer"
)

// syncCommand runs one sync of a connection in the foreground: the same
// code as the background job, with progress lines and a summary. It waits
// for no job runner (the app is built without one) and refuses to run
// beside another sync of the same connection.
func syncCommand(ctx context.Context, cfg *config.Config, logger *slog.Logger, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("sync", flag.ContinueOnError)
	fs.SetOutput(stderr)
	id := fs.Int64("connection", 0, "connection id (required)")
	full := fs.Bool("full", false, "list the whole catalogue (and reconcile deletions) instead of the changes since the last sync")
	reconcile := fs.Bool("reconcile", false, "only compare all ids with the catalogue and mark what the shop no longer has deleted")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *id <= 0 || fs.NArg() > 0 {
		return errors.New("usage: ohis sync --connection ID [--full | --reconcile]")
	}
	if *full && *reconcile {
		return errors.New("--full and --reconcile exclude each other (a full sync reconciles too)")
	}
	kind := syncer.KindIncremental
	switch {
	case *full:
		kind = syncer.KindFull
	case *reconcile:
		kind = syncer.KindReconcile
	}
	a, err := app.New(ctx, cfg, logger, app.Options{NoJobs: true})
	if err != nil {
		return err
	}
	defer a.Close()

	fmt.Fprintf(stdout, "sync of connection %d (%s)\n", *id, kind)
	var mu sync.Mutex
	var last time.Time
	var lastPhase string
	progress := func(p syncer.Progress) {
		mu.Lock()
		defer mu.Unlock()
		if p.Phase == lastPhase && time.Since(last) < time.Second && p.Phase != "done" {
			return
		}
		last, lastPhase = time.Now(), p.Phase
		fmt.Fprintf(stdout, "  %-22s pages %d/%d  items %d/%d  (new %d, changed %d, deleted %d, unchanged %d, failed %d)\n",
			p.Phase, p.PagesDone, p.PagesTotal, p.ItemsDone, p.ItemsTotal, p.Created, p.Updated, p.Deleted, p.Unchanged, p.Failed)
	}
	started := time.Now()
	sum, err := a.Syncer.Run(ctx, *id, kind, "cli", progress)
	var re *syncer.RunError
	switch {
	case errors.Is(err, syncer.ErrBusy):
		return fmt.Errorf("%w (connection %d); try again when it has finished", err, *id)
	case errors.Is(err, store.ErrNotFound):
		return fmt.Errorf("connection %d does not exist", *id)
	case errors.As(err, &re):
		fmt.Fprintf(stdout, "\nsync failed after %s (%s)\n", time.Since(started).Round(10*time.Millisecond), re.Code)
		return fmt.Errorf("sync failed: %s", re.Message)
	case err != nil:
		return err
	}
	fmt.Fprintln(stdout, "\nsummary")
	fmt.Fprintf(stdout, "  %-10s %10s\n", "kind", sum.Kind)
	for _, r := range []struct {
		label string
		n     int
	}{{"created", sum.Created}, {"updated", sum.Updated}, {"deleted", sum.Deleted}, {"unchanged", sum.Unchanged},
		{"skipped", sum.Skipped}, {"failed", sum.Failed}, {"pages", sum.Pages}} {
		fmt.Fprintf(stdout, "  %-10s %10d\n", r.label, r.n)
	}
	fmt.Fprintf(stdout, "  %-10s %10s\n", "duration", sum.Duration().Round(time.Millisecond))
	if sum.Failed > 0 {
		fmt.Fprintf(stdout, "\n%d items could not be synced; see the connection's errors in the portal.\n", sum.Failed)
	}
	return nil
}
