package curation_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"github.com/wujw/ohis/internal/account"
	"github.com/wujw/ohis/internal/audit"
	"github.com/wujw/ohis/internal/curation"
	ct "github.com/wujw/ohis/internal/curation/curationtest"
	"github.com/wujw/ohis/internal/store"
	"github.com/wujw/ohis/internal/testdb"
)

// env is one test's database with a supplier, a production connection and
// the curation service.
type env struct {
	pool     *pgxpool.Pool
	st       *store.Store
	svc      *curation.Service
	supplier int64
	conn     int64
	actor    audit.Actor
}

func newEnv(t *testing.T) *env {
	t.Helper()
	pool := testdb.New(t)
	st := store.New(pool)
	ctx := context.Background()
	sup, err := st.SupplierCreate(ctx, "Zonnig B.V.")
	if err != nil {
		t.Fatal(err)
	}
	u, err := st.UserCreate(ctx, store.NewUser{Email: "curator@test.example", Name: "Curator", Role: account.RoleCurator, PasswordHash: "$argon2id$fake"})
	if err != nil {
		t.Fatal(err)
	}
	// An insert-only job client: large bulks are queued, and the tests run
	// them by hand.
	jobs, err := river.NewClient(riverpgxv5.New(pool), &river.Config{})
	if err != nil {
		t.Fatal(err)
	}
	svc := curation.New(st, jobs, slog.New(slog.NewTextHandler(io.Discard, nil)))
	return &env{pool: pool, st: st, svc: svc, supplier: sup.ID, conn: ct.Connection(t, pool, sup.ID, "production"),
		actor: audit.Actor{UserID: &u.ID, Email: u.Email, IP: "127.0.0.1"}}
}

func (e *env) curationOf(t *testing.T, id int64) store.ProductCuration {
	t.Helper()
	c, err := e.st.ProductCurationGet(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// changed runs the syncer's hook the way the syncer does: inside its data
// transaction, after writing.
func (e *env) changed(t *testing.T, sql string, args []any, ids ...int64) {
	t.Helper()
	err := e.st.InTx(context.Background(), func(tx *store.Store) error {
		if sql != "" {
			if _, err := tx.Tx().Exec(context.Background(), sql, args...); err != nil {
				return err
			}
		}
		return e.svc.ProductsChanged(context.Background(), tx, ids)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func (e *env) auditCount(t *testing.T, action audit.Action, productID int64) int {
	t.Helper()
	var n int
	if err := e.pool.QueryRow(context.Background(), `SELECT count(*) FROM audit_log WHERE action = $1 AND subject_type = 'product' AND subject_id = $2`,
		string(action), strconv.FormatInt(productID, 10)).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func reasonID(t *testing.T, e *env) int64 {
	t.Helper()
	rs, err := e.st.RejectionReasons(context.Background())
	if err != nil || len(rs) == 0 {
		t.Fatalf("no seeded rejection reasons: %v", err)
	}
	return rs[0].ID
}

func TestApproveAndReject(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	id := ct.AddProduct(t, e.pool, e.conn, ct.Product{Name: "Radiatorfolie", PriceCents: 1995, CategoryIDs: []string{"7"},
		Variants: nil})
	c := e.curationOf(t, id)
	if c.Status != store.CurationPending || c.Version != 1 {
		t.Fatalf("new product: %+v, want pending v1", c)
	}

	if err := e.svc.Approve(ctx, e.actor, id, c.Version); err != nil {
		t.Fatal(err)
	}
	c = e.curationOf(t, id)
	if c.Status != store.CurationApproved || c.Version != 2 || c.DecidedBy == nil || *c.DecidedBy != *e.actor.UserID {
		t.Fatalf("after approve: %+v", c)
	}
	if c.Approved == nil || c.Approved.Name != "Radiatorfolie" || c.Approved.PriceCents == nil || *c.Approved.PriceCents != 1995 ||
		strings.Join(c.Approved.CategoryIDs, ",") != "7" {
		t.Fatalf("approved snapshot = %+v", c.Approved)
	}
	if n := e.auditCount(t, audit.CurationApproved, id); n != 1 {
		t.Fatalf("%d approval audit entries, want 1", n)
	}

	// A rejection needs a reason from the list; text alone is not enough.
	var refused curation.Refused
	if err := e.svc.Reject(ctx, e.actor, id, c.Version, 0, "te duur"); !errors.As(err, &refused) {
		t.Fatalf("reject without reason: %v, want refused", err)
	}
	reason, err := e.svc.AddReason(ctx, e.actor, "  Dubbel   product ")
	if err != nil || reason.Label != "Dubbel product" {
		t.Fatalf("add reason: %+v %v", reason, err)
	}
	if _, err := e.svc.AddReason(ctx, e.actor, "dubbel PRODUCT"); !errors.As(err, &refused) {
		t.Fatalf("duplicate reason: %v, want refused", err)
	}
	if _, err := e.svc.SetReasonActive(ctx, e.actor, reason.ID, false); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.Reject(ctx, e.actor, id, c.Version, reason.ID, ""); !errors.As(err, &refused) {
		t.Fatalf("reject with inactive reason: %v, want refused", err)
	}
	if err := e.svc.Reject(ctx, e.actor, id, c.Version, reasonID(t, e), strings.Repeat("x", curation.MaxReasonText+1)); !errors.As(err, &refused) {
		t.Fatalf("reject with too long text: %v, want refused", err)
	}
	if err := e.svc.Reject(ctx, e.actor, id, c.Version, reasonID(t, e), "  Geen CE-markering vermeld.  "); err != nil {
		t.Fatal(err)
	}
	c = e.curationOf(t, id)
	if c.Status != store.CurationRejected || c.ReasonText != "Geen CE-markering vermeld." || c.ReasonLabel == "" || c.Version != 3 {
		t.Fatalf("after reject: %+v", c)
	}
	hist, err := e.st.CurationHistory(ctx, id)
	if err != nil || len(hist) != 2 || hist[0].Action != audit.CurationRejected ||
		hist[0].Detail["reason"] != c.ReasonLabel+": Geen CE-markering vermeld." {
		t.Fatalf("history = %+v, %v", hist, err)
	}
}

func TestDecisionOnChangedProductIsRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	id := ct.AddProduct(t, e.pool, e.conn, ct.Product{PriceCents: 5000})
	opened := e.curationOf(t, id).Version

	// The syncer changes the product while the curator looks at it.
	e.changed(t, `UPDATE products SET price_cents = 4500 WHERE id = $1`, []any{id}, id)
	err := e.svc.Approve(ctx, e.actor, id, opened)
	if !errors.Is(err, curation.ErrStale) || err.Error() != "Dit product is gewijzigd sinds u het opende; bekijk het opnieuw." {
		t.Fatalf("approve of a stale version: %v, want ErrStale", err)
	}
	if c := e.curationOf(t, id); c.Status != store.CurationPending {
		t.Fatalf("stale approval changed the product: %+v", c)
	}
	// Looking again (the new version) works.
	if err := e.svc.Approve(ctx, e.actor, id, e.curationOf(t, id).Version); err != nil {
		t.Fatal(err)
	}
	// A second curator with the old form is refused too: no silent overwrite.
	if err := e.svc.Reject(ctx, e.actor, id, opened+1, reasonID(t, e), ""); !errors.Is(err, curation.ErrStale) {
		t.Fatalf("reject after someone else decided: %v, want ErrStale", err)
	}
	if err := e.svc.Approve(ctx, e.actor, 999999, 1); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown product: %v, want not found", err)
	}
}

func TestConcurrentDecisionsOneWins(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	id := ct.AddProduct(t, e.pool, e.conn, ct.Product{})
	version := e.curationOf(t, id).Version
	rid := reasonID(t, e)

	const n = 8
	var wg sync.WaitGroup
	start := make(chan struct{})
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			if i%2 == 0 {
				errs[i] = e.svc.Approve(ctx, e.actor, id, version)
			} else {
				errs[i] = e.svc.Reject(ctx, e.actor, id, version, rid, "concurrent")
			}
		}()
	}
	close(start)
	wg.Wait()
	wins := 0
	for _, err := range errs {
		switch {
		case err == nil:
			wins++
		case errors.Is(err, curation.ErrStale):
		default:
			t.Fatalf("unexpected error: %v", err)
		}
	}
	c := e.curationOf(t, id)
	decisions := e.auditCount(t, audit.CurationApproved, id) + e.auditCount(t, audit.CurationRejected, id)
	if wins != 1 || c.Version != version+1 || decisions != 1 {
		t.Fatalf("%d decisions won, version %d, %d audit entries; want exactly one", wins, c.Version, decisions)
	}
}

func TestSignificantChangesAfterApproval(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	if err := e.svc.UpdateSettings(ctx, e.actor, 10, true); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name     string
		variants []ct.Variant
		change   string // SQL on product $1
		want     string // status after the hook
		summary  string // part of the change summary
	}{
		{name: "price up more than the threshold", change: `UPDATE products SET price_cents = 1101 WHERE id = $1`,
			want: store.CurationChanged, summary: "Prijs verhoogd van € 10,00 naar € 11,01 (+10 %)"},
		{name: "price up by exactly the threshold", change: `UPDATE products SET price_cents = 1100 WHERE id = $1`,
			want: store.CurationApproved},
		{name: "price down", change: `UPDATE products SET price_cents = 500 WHERE id = $1`, want: store.CurationApproved},
		{name: "stock only", change: `UPDATE products SET stock_status = 'outofstock' WHERE id = $1`, want: store.CurationApproved},
		{name: "name", change: `UPDATE products SET name = name || ' XL' WHERE id = $1`, want: store.CurationChanged, summary: "Naam gewijzigd"},
		{name: "category", change: `UPDATE products SET category_ids = ARRAY['1', '3'] WHERE id = $1`, want: store.CurationChanged,
			summary: "Categorieën van de aanbieder gewijzigd"},
		{name: "same categories in another order", change: `UPDATE products SET category_ids = ARRAY['2', '1'] WHERE id = $1`,
			want: store.CurationApproved},
		{name: "variant added", variants: []ct.Variant{{ExternalID: "a", PriceCents: 1000, Option: "Kleur", Value: "Wit"}},
			change: `INSERT INTO product_variants (product_id, external_id, price_cents, options, shop_modified_at, content_hash)
				VALUES ($1, 'b', 1200, '[{"name": "Kleur", "option": "Zwart"}]', now(), '\x00')`,
			want: store.CurationChanged, summary: "Variant toegevoegd: Kleur: Zwart (€ 12,00)"},
		{name: "variant removed", variants: []ct.Variant{{ExternalID: "a", PriceCents: 1000, Option: "Kleur", Value: "Wit"}, {ExternalID: "b", PriceCents: 1000, Option: "Kleur", Value: "Zwart"}},
			change: `UPDATE product_variants SET deleted_at = now() WHERE product_id = $1 AND external_id = 'b'`,
			want:   store.CurationChanged, summary: "Variant verwijderd: Kleur: Zwart"},
		{name: "one variant's price up", variants: []ct.Variant{{ExternalID: "a", PriceCents: 1000, Option: "Maat", Value: "S"}, {ExternalID: "b", PriceCents: 2000, Option: "Maat", Value: "L"}},
			change: `UPDATE product_variants SET price_cents = 2500 WHERE product_id = $1 AND external_id = 'b'`,
			want:   store.CurationChanged, summary: "Prijs van variant Maat: L verhoogd van € 20,00 naar € 25,00 (+25 %)"},
		{name: "variant price up within the threshold", variants: []ct.Variant{{ExternalID: "a", PriceCents: 1000, Option: "Maat", Value: "S"}},
			change: `UPDATE product_variants SET price_cents = 1050 WHERE product_id = $1`, want: store.CurationApproved},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			id := ct.AddProduct(t, e.pool, e.conn, ct.Product{PriceCents: 1000, CategoryIDs: []string{"1", "2"}, Variants: tc.variants})
			if err := e.svc.Approve(ctx, e.actor, id, e.curationOf(t, id).Version); err != nil {
				t.Fatal(err)
			}
			before := e.curationOf(t, id)
			e.changed(t, tc.change, []any{id}, id)
			after := e.curationOf(t, id)
			if after.Status != tc.want {
				t.Fatalf("status %s, want %s (summary %q)", after.Status, tc.want, after.ChangeSummary)
			}
			if tc.want == store.CurationApproved {
				if after.Version != before.Version {
					t.Fatalf("an insignificant change moved the version on")
				}
				return
			}
			if after.Version != before.Version+1 || after.ChangedAt == nil || !strings.Contains(after.ChangeSummary, tc.summary) {
				t.Fatalf("after: version %d (was %d), summary %q, want it to contain %q", after.Version, before.Version, after.ChangeSummary, tc.summary)
			}
			if e.auditCount(t, audit.CurationChanged, id) != 1 {
				t.Fatal("no audit entry for the product going back to the queue")
			}
			// The approved snapshot is kept for the side-by-side diff.
			if after.Approved == nil || after.Approved.Name != before.Approved.Name {
				t.Fatalf("approved snapshot lost: %+v", after.Approved)
			}
		})
	}
}

func TestChangeThresholdIsASetting(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	var refused curation.Refused
	if err := e.svc.UpdateSettings(ctx, e.actor, -1, true); !errors.As(err, &refused) {
		t.Fatalf("negative threshold: %v", err)
	}
	if err := e.svc.UpdateSettings(ctx, e.actor, 50, false); err != nil {
		t.Fatal(err)
	}
	s, err := e.svc.Settings(ctx)
	if err != nil || s.PriceIncreasePercent != 50 || s.KeepVisibleOnChange {
		t.Fatalf("settings = %+v, %v", s, err)
	}
	id := ct.AddProduct(t, e.pool, e.conn, ct.Product{PriceCents: 1000})
	if err := e.svc.Approve(ctx, e.actor, id, 1); err != nil {
		t.Fatal(err)
	}
	e.changed(t, `UPDATE products SET price_cents = 1400 WHERE id = $1`, []any{id}, id)
	if c := e.curationOf(t, id); c.Status != store.CurationApproved {
		t.Fatalf("+40 %% with a 50 %% threshold: %s", c.Status)
	}
	e.changed(t, `UPDATE products SET price_cents = 1600 WHERE id = $1`, []any{id}, id)
	c := e.curationOf(t, id)
	if c.Status != store.CurationChanged || !strings.Contains(c.ChangeSummary, "(+60 %)") {
		t.Fatalf("+60 %%: %+v", c)
	}
	// Back to the approved price: still in the queue, saying so.
	e.changed(t, `UPDATE products SET price_cents = 1000 WHERE id = $1`, []any{id}, id)
	if c2 := e.curationOf(t, id); c2.Status != store.CurationChanged || c2.Version != c.Version+1 ||
		!strings.Contains(c2.ChangeSummary, "Geen belangrijke verschillen") {
		t.Fatalf("after undo: %+v", c2)
	}
}

func TestBulkByPicks(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	a := ct.AddProduct(t, e.pool, e.conn, ct.Product{})
	b := ct.AddProduct(t, e.pool, e.conn, ct.Product{})
	c := ct.AddProduct(t, e.pool, e.conn, ct.Product{})
	d := ct.AddProduct(t, e.pool, e.conn, ct.Product{})
	var picks []curation.Pick
	for _, id := range []int64{a, b, c, d, a} {
		picks = append(picks, curation.Pick{ProductID: id, Version: 1})
	}
	// b changes after the curator loaded the list; c was approved meanwhile.
	e.changed(t, `UPDATE products SET name = 'Nieuw' WHERE id = $1`, []any{b}, b)
	if err := e.svc.Approve(ctx, e.actor, c, 1); err != nil {
		t.Fatal(err)
	}
	res, err := e.svc.StartBulk(ctx, e.actor, curation.BulkRequest{Action: curation.BulkReject, ReasonID: reasonID(t, e), ReasonText: "bulk", Picks: picks})
	if err != nil {
		t.Fatal(err)
	}
	bulk := res.Bulk
	if res.Background || bulk.Status != "done" || bulk.Total != 4 || bulk.Decided != 2 || bulk.SkippedChanged != 2 || bulk.Done != 4 {
		t.Fatalf("bulk = %+v", bulk)
	}
	for id, want := range map[int64]string{a: store.CurationRejected, b: store.CurationPending, c: store.CurationApproved, d: store.CurationRejected} {
		if got := e.curationOf(t, id); got.Status != want {
			t.Errorf("product %d: %s, want %s", id, got.Status, want)
		}
	}
	if got := e.curationOf(t, a); got.ReasonText != "bulk" || got.DecidedBy == nil {
		t.Errorf("rejected in bulk: %+v", got)
	}
	if e.auditCount(t, audit.CurationRejected, a) != 1 || e.auditCount(t, audit.CurationRejected, b) != 0 {
		t.Error("audit entries of the bulk are wrong")
	}
	var refused curation.Refused
	if _, err := e.svc.StartBulk(ctx, e.actor, curation.BulkRequest{Action: curation.BulkReject, Picks: picks}); !errors.As(err, &refused) {
		t.Fatalf("bulk reject without reason: %v", err)
	}
	if _, err := e.svc.StartBulk(ctx, e.actor, curation.BulkRequest{Action: curation.BulkApprove}); !errors.As(err, &refused) {
		t.Fatalf("bulk without selection: %v", err)
	}
}

func TestBulkByFilterResumesAndIsIdempotent(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	e.svc.DirectLimit, e.svc.BatchSize = 5, 4
	other := ct.Connection(t, e.pool, e.supplier, "test")
	var ids []int64
	for range 11 {
		ids = append(ids, ct.AddProduct(t, e.pool, e.conn, ct.Product{}))
	}
	notMatching := ct.AddProduct(t, e.pool, other, ct.Product{})
	filter := &store.CurationFilter{Environment: "production", Statuses: []string{store.CurationPending, store.CurationChanged}}

	res, err := e.svc.StartBulk(ctx, e.actor, curation.BulkRequest{Action: curation.BulkApprove, Filter: filter})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Background || res.Bulk.Total != 11 || res.Bulk.Status != "queued" {
		t.Fatalf("large bulk: %+v", res)
	}
	var jobs int
	if err := e.pool.QueryRow(ctx, `SELECT count(*) FROM river_job WHERE kind = 'curation_bulk_decision'`).Scan(&jobs); err != nil || jobs != 1 {
		t.Fatalf("%d jobs queued (%v), want 1", jobs, err)
	}
	// A product changes after the bulk started: it is skipped, not decided
	// unseen.
	e.changed(t, `UPDATE products SET price_cents = 1 WHERE id = $1`, []any{ids[9]}, ids[9])

	// The job is interrupted after one batch...
	if finished, err := e.svc.ResumeBulk(ctx, res.Bulk.ID, 1); err != nil || finished {
		t.Fatalf("first batch: finished %v, %v", finished, err)
	}
	b, _ := e.svc.Bulk(ctx, res.Bulk.ID)
	if b.Done != 4 || b.Decided != 4 || b.LastID != ids[3] || b.Status != "running" {
		t.Fatalf("after one batch: %+v", b)
	}
	// ... and resumes where it was.
	if finished, err := e.svc.ResumeBulk(ctx, res.Bulk.ID, 0); err != nil || !finished {
		t.Fatalf("resume: finished %v, %v", finished, err)
	}
	b, _ = e.svc.Bulk(ctx, res.Bulk.ID)
	if b.Status != "done" || b.Done != 11 || b.Decided != 10 || b.SkippedChanged != 1 || b.FinishedAt == nil {
		t.Fatalf("finished bulk: %+v", b)
	}
	for i, id := range ids {
		want := store.CurationApproved
		if i == 9 {
			want = store.CurationPending
		}
		if got := e.curationOf(t, id); got.Status != want || (want == store.CurationApproved && got.Approved == nil) {
			t.Errorf("product %d: %+v, want %s", i, got, want)
		}
		if n := e.auditCount(t, audit.CurationApproved, id); (want == store.CurationApproved) != (n == 1) {
			t.Errorf("product %d: %d audit entries", i, n)
		}
	}
	if got := e.curationOf(t, notMatching); got.Status != store.CurationPending {
		t.Errorf("a product outside the filter was decided")
	}
	// Running a finished bulk again changes nothing.
	if finished, err := e.svc.ResumeBulk(ctx, res.Bulk.ID, 0); err != nil || !finished {
		t.Fatalf("re-run: %v %v", finished, err)
	}
	if b2, _ := e.svc.Bulk(ctx, res.Bulk.ID); b2.Done != 11 || b2.Decided != 10 {
		t.Fatalf("re-run changed counts: %+v", b2)
	}
	// The same bulk once more over all statuses skips what is decided.
	all := &store.CurationFilter{Environment: "production"}
	res2, err := e.svc.StartBulk(ctx, e.actor, curation.BulkRequest{Action: curation.BulkApprove, Filter: all})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.ResumeBulk(ctx, res2.Bulk.ID, 0); err != nil {
		t.Fatal(err)
	}
	b3, _ := e.svc.Bulk(ctx, res2.Bulk.ID)
	if b3.Total != 11 || b3.Decided != 1 || b3.SkippedDecided != 10 {
		t.Fatalf("second bulk: %+v", b3)
	}
}

func TestBulkJobRunsInRiver(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	e.svc.DirectLimit = 2
	for range 5 {
		ct.AddProduct(t, e.pool, e.conn, ct.Product{})
	}
	workers := river.NewWorkers()
	river.AddWorker(workers, &curation.BulkWorker{Store: e.st, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), BatchSize: 2})
	client, err := river.NewClient(riverpgxv5.New(e.pool), &river.Config{
		Workers: workers, Queues: map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 1}},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	svc := curation.New(e.st, client, slog.New(slog.NewTextHandler(io.Discard, nil)))
	svc.DirectLimit = 2
	sub, cancel := client.Subscribe(river.EventKindJobCompleted, river.EventKindJobFailed)
	defer cancel()
	if err := client.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer client.Stop(ctx) //nolint:errcheck
	res, err := svc.StartBulk(ctx, e.actor, curation.BulkRequest{Action: curation.BulkApprove, Filter: &store.CurationFilter{}})
	if err != nil || !res.Background {
		t.Fatalf("start: %+v %v", res, err)
	}
	ev := <-sub
	if ev.Kind != river.EventKindJobCompleted {
		t.Fatalf("job: %s %v", ev.Kind, ev.Job.Errors)
	}
	b, _ := svc.Bulk(ctx, res.Bulk.ID)
	if b.Status != "done" || b.Decided != 5 {
		t.Fatalf("bulk after job: %+v", b)
	}
}
