package syncer_test

import (
	"context"
	"testing"
	"time"

	"github.com/wujw/ohis/internal/demoshop"
	"github.com/wujw/ohis/internal/syncer"
)

// While a run lists the shop, its progress is in sync_runs for the portal's
// progress bar; what it wrote is not visible until it commits.
func TestProgressVisibleWhileRunning(t *testing.T) {
	t.Parallel()
	f := newFixture(t, demoshop.Options{Products: 30})
	f.pauseWebhooks(t)
	for i := range 150 {
		_, err := f.shop.AddProduct(demoshop.NewProduct{Name: "Nieuw product " + string(rune('A'+i%26)), RegularCents: int64(100 + i)})
		must(t, err)
	}
	// The variations listing comes after the products: hold it up.
	f.shop.SetFaults(demoshop.Faults{SlowPage: map[string]int{"variations": 1}, SlowDelay: 1500 * time.Millisecond})
	before := len(f.products(t))
	done := make(chan error, 1)
	go func() {
		_, err := f.svc.Run(context.Background(), f.connID, syncer.KindIncremental, "test", nil)
		done <- err
	}()
	f.waitFor(t, "progress of the running sync", 10*time.Second, func() bool {
		runs := f.runs(t)
		r := runs[len(runs)-1]
		return r.Outcome == "running" && r.PagesDone >= 2 && r.ItemsDone >= 150 && r.PagesTotal >= r.PagesDone && r.Created >= 150
	})
	if n := len(f.products(t)); n != before {
		t.Errorf("%d products visible during the run, want the %d from before (one transaction)", n, before)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if n := len(f.products(t)); n != before+150 {
		t.Errorf("%d products after the run, want %d", n, before+150)
	}
}

// The scheduler queues due incrementals and reconciliations and webhook
// checks, skips paused connections, and clears old delivery bodies.
func TestSchedule(t *testing.T) {
	t.Parallel()
	f := newFixture(t, demoshop.Options{Products: 10})
	ctx := context.Background()
	runs := len(f.runs(t))
	if _, err := f.pool.Exec(ctx, `UPDATE connections SET next_sync_at = now() - interval '1 minute',
		last_reconcile_at = now() - interval '2 days', webhook_checked_at = now() - interval '1 hour' WHERE id = $1`, f.connID); err != nil {
		t.Fatal(err)
	}
	must(t, f.shop.SetPrice(f.shop.ProductIDs(demoshop.TypeSimple)[0], 999, nil))
	f.drain(t)
	if _, err := f.pool.Exec(ctx, `UPDATE webhook_deliveries SET processed_at = now() - interval '2 days' WHERE connection_id = $1`, f.connID); err != nil {
		t.Fatal(err)
	}
	must(t, f.svc.Schedule(ctx))
	f.waitFor(t, "the scheduled work", 20*time.Second, func() bool {
		return f.count(t, `SELECT count(*) FROM river_job WHERE kind IN ('sync_connection', 'webhook_setup') AND state NOT IN ('completed', 'cancelled', 'discarded')`) == 0 &&
			len(f.runs(t)) >= runs+2
	})
	kinds := map[string]bool{}
	for _, r := range f.runs(t)[runs:] {
		if r.Trigger != "schedule" || r.Outcome != "succeeded" {
			t.Errorf("scheduled run: %+v", r)
		}
		kinds[r.Kind] = true
	}
	if !kinds["incremental"] || !kinds["reconcile"] {
		t.Errorf("scheduled kinds %v, want incremental and reconcile", kinds)
	}
	st := f.state(t)
	if st.NextSyncAt == nil || time.Until(*st.NextSyncAt) < time.Minute || st.WebhookCheckedAt == nil || time.Since(*st.WebhookCheckedAt) > time.Minute {
		t.Errorf("after the schedule: next sync %v, webhooks checked %v", st.NextSyncAt, st.WebhookCheckedAt)
	}
	if n := f.count(t, `SELECT count(*) FROM webhook_deliveries WHERE connection_id = $1 AND body IS NOT NULL`, f.connID); n != 0 {
		t.Errorf("%d processed deliveries older than a day still have their body", n)
	}

	// Paused: nothing is queued, however late.
	if _, err := f.pool.Exec(ctx, `UPDATE connections SET paused = true, next_sync_at = now() - interval '1 hour',
		last_reconcile_at = now() - interval '2 days' WHERE id = $1`, f.connID); err != nil {
		t.Fatal(err)
	}
	jobs := f.count(t, `SELECT count(*) FROM river_job WHERE kind = 'sync_connection'`)
	must(t, f.svc.Schedule(ctx))
	if n := f.count(t, `SELECT count(*) FROM river_job WHERE kind = 'sync_connection'`); n != jobs {
		t.Errorf("a paused connection got %d sync jobs", n-jobs)
	}
}
