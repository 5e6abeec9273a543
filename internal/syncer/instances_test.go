package syncer_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"github.com/wujw/ohis/internal/audit"
	"github.com/wujw/ohis/internal/config"
	"github.com/wujw/ohis/internal/connections"
	"github.com/wujw/ohis/internal/demoshop"
	"github.com/wujw/ohis/internal/secret"
	"github.com/wujw/ohis/internal/store"
	"github.com/wujw/ohis/internal/syncer"
	"github.com/wujw/ohis/internal/testdb"
)

// instance is one OHIS process's syncer with its own job runner.
type instance struct {
	svc    *syncer.Service
	client *river.Client[pgx.Tx]
}

// Two processes on one database never run the same connection's sync at
// once: a foreground run beside a running one is refused, queued runs
// wait their turn, and every requested sync is done. Requests for a sync
// already queued are one job.
func TestTwoInstancesNeverOverlap(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := testdb.URL(t)
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	st := store.New(pool)
	env := map[string]string{"OHIS_ENCRYPTION_KEYS": "t1:" + config.NewKey(), "OHIS_SESSION_KEYS": "t1:" + config.NewKey(),
		"OHIS_SHOP_ALLOW_PRIVATE": "true", "DATABASE_URL": url, "OHIS_DATA_DIR": t.TempDir()}
	cfg, err := config.Load(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	box, err := secret.NewBox(cfg.EncryptionKeys)
	if err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.DiscardHandler)
	shop := demoshop.New(demoshop.Options{Products: 60, ConsumerKey: "ck_" + strings.Repeat("ab12", 10), ConsumerSecret: "cs_" + strings.Repeat("cd34", 10),
		Latency: 2 * time.Millisecond})
	ts := httptest.NewServer(shop.Handler())
	t.Cleanup(func() { shop.Close(); ts.Close() })
	shop.SetBaseURL(ts.URL)
	plats := connections.DefaultPlatforms(cfg)
	for name, p := range plats {
		plats[name] = fastRetry{p}
	}
	conns := connections.New(connections.Deps{Store: st, Box: box, Config: cfg, Logger: logger, Platforms: plats})

	newInstance := func() instance {
		svc := syncer.New(syncer.Deps{Store: st, Pool: pool, Opener: conns, Logger: logger, Config: cfg.Sync, BaseURL: cfg.BaseURL,
			BusyRetry: 100 * time.Millisecond})
		workers := river.NewWorkers()
		svc.AddWorkers(workers)
		client, err := river.NewClient(riverpgxv5.New(pool), &river.Config{
			Logger: logger, Workers: workers, FetchPollInterval: 100 * time.Millisecond,
			Queues: map[string]river.QueueConfig{syncer.QueueSync: {MaxWorkers: 4}, syncer.QueueEvents: {MaxWorkers: 4}},
		})
		if err != nil {
			t.Fatal(err)
		}
		svc.SetClient(client)
		return instance{svc, client}
	}
	a, b := newInstance(), newInstance()
	conns.SetSyncer(a.svc)

	sup, err := st.SupplierCreate(ctx, "Twee Processen B.V.")
	if err != nil {
		t.Fatal(err)
	}
	id, err := conns.Create(ctx, sup.ID, audit.Actor{Email: "test"}, connections.Input{Environment: "test", Platform: "woocommerce",
		ShopURL: ts.URL, Key: shop.ConsumerKey(), Secret: shop.ConsumerSecret()})
	if err != nil {
		t.Fatalf("connecting: %v", err)
	}
	// "Nu synchroniseren" five times, on both instances: one job.
	for i := range 5 {
		inst := []instance{a, b}[i%2]
		if err := inst.svc.RequestSync(ctx, nil, id, syncer.KindIncremental, "manual"); err != nil {
			t.Fatal(err)
		}
	}
	var jobs int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM river_job WHERE kind = 'sync_connection' AND args->>'kind' = 'incremental'`).Scan(&jobs); err != nil {
		t.Fatal(err)
	}
	if jobs != 1 {
		t.Fatalf("five requests queued %d incremental jobs, want 1", jobs)
	}

	// Two foreground runs at once: one runs, the other is refused. A slow
	// first page keeps the first one busy.
	shop.SetFaults(demoshop.Faults{SlowPage: map[string]int{"products": 1}, SlowDelay: 400 * time.Millisecond})
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, inst := range []instance{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = inst.svc.Run(ctx, id, syncer.KindFull, "cli", nil)
		}()
	}
	wg.Wait()
	busy := 0
	for _, err := range errs {
		switch {
		case errors.Is(err, syncer.ErrBusy):
			busy++
		case err != nil:
			t.Fatalf("foreground run: %v", err)
		}
	}
	if busy != 1 {
		t.Errorf("two simultaneous runs: %d refused as busy, want exactly 1 (%v)", busy, errs)
	}

	// Now both job runners: the connect sync and the incremental, each
	// picked up by either instance, wait for one another.
	for _, inst := range []instance{a, b} {
		if err := inst.client.Start(ctx); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			stopCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			_ = inst.client.Stop(stopCtx)
		})
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		var pending int
		if err := pool.QueryRow(ctx, `SELECT count(*) FROM river_job WHERE kind IN ('sync_connection', 'webhook_setup')
			AND state NOT IN ('completed', 'cancelled', 'discarded')`).Scan(&pending); err != nil {
			t.Fatal(err)
		}
		if pending == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d sync jobs still not done", pending)
		}
		time.Sleep(50 * time.Millisecond)
	}
	runs, err := st.SyncerRuns(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 3 {
		t.Fatalf("%d runs, want 3 (one foreground, the connect sync, the incremental)", len(runs))
	}
	kinds := map[string]int{}
	for i, r := range runs {
		kinds[r.Trigger]++
		if r.Outcome != "succeeded" || r.FinishedAt == nil {
			t.Errorf("run %d: %s %q", r.ID, r.Outcome, r.ErrorMessage)
			continue
		}
		for _, o := range runs[:i] {
			if o.FinishedAt != nil && r.StartedAt.Before(*o.FinishedAt) && o.StartedAt.Before(*r.FinishedAt) {
				t.Errorf("runs %d [%s–%s] and %d [%s–%s] overlap", o.ID, o.StartedAt.Format(time.StampMicro), o.FinishedAt.Format(time.StampMicro),
					r.ID, r.StartedAt.Format(time.StampMicro), r.FinishedAt.Format(time.StampMicro))
			}
		}
	}
	if kinds["cli"] != 1 || kinds["connect"] != 1 || kinds["manual"] != 1 {
		t.Errorf("runs by trigger: %v", kinds)
	}
}
