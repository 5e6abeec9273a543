package syncer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/wujw/ohis/internal/catalog"
	"github.com/wujw/ohis/internal/connector"
	"github.com/wujw/ohis/internal/store"
)

// progressEvery is the least time between two progress writes of a run
// (at most 4 per second).
const progressEvery = 250 * time.Millisecond

// pipelineDepth is how many listed pages may wait for the database: the
// listing goes on while earlier pages are written, and memory stays
// bounded.
const pipelineDepth = 16

// Run runs one sync of a connection in the foreground: the job does the
// same. It returns ErrBusy when another run holds the connection, a
// *RunError when the run failed (recorded on the connection), and the
// summary of a successful run. progress, when set, is called at most 4
// times per second and once at the end.
func (s *Service) Run(ctx context.Context, connectionID int64, kind Kind, trigger string, progress func(Progress)) (Summary, error) {
	if !kind.Valid() {
		return Summary{}, fmt.Errorf("syncer: unknown kind %q", kind)
	}
	if trigger == "" {
		trigger = "manual"
	}
	if _, err := s.store.SyncerConnection(ctx, connectionID); err != nil {
		return Summary{}, err
	}
	var sum Summary
	var runErr error
	got, err := s.store.SyncerWithLock(ctx, lockNamespace, lockKey(connectionID), func(conn *store.Store) error {
		sum, runErr = s.runLocked(ctx, conn, connectionID, kind, trigger, progress)
		return nil
	})
	switch {
	case err != nil:
		return Summary{}, err
	case !got:
		return Summary{}, ErrBusy
	}
	return sum, runErr
}

// run is one run's state.
type run struct {
	s        *Service
	id       int64
	conn     store.SyncState
	kind     Kind
	trigger  string
	started  time.Time
	progress func(Progress)

	mu         sync.Mutex
	phase      string
	pageTotals map[string]int // resource → pages
	itemTotals map[string]int // resource → items
	pagesDone  int
	itemsDone  int
	counts     Counts
	dirty      bool
}

func (r *run) snapshot() (Progress, store.SyncCounters) {
	r.mu.Lock()
	defer r.mu.Unlock()
	p := Progress{RunID: r.id, Phase: r.phase, PagesDone: r.pagesDone, ItemsDone: r.itemsDone, Counts: r.counts}
	for _, n := range r.pageTotals {
		p.PagesTotal += n
	}
	for _, n := range r.itemTotals {
		p.ItemsTotal += n
	}
	p.PagesTotal = max(p.PagesTotal, p.PagesDone)
	p.ItemsTotal = max(p.ItemsTotal, p.ItemsDone)
	return p, store.SyncCounters{
		PagesDone: p.PagesDone, PagesTotal: p.PagesTotal, ItemsDone: p.ItemsDone, ItemsTotal: p.ItemsTotal,
		Created: p.Created, Updated: p.Updated, Deleted: p.Deleted, Unchanged: p.Unchanged, Skipped: p.Skipped, Failed: p.Failed,
	}
}

// listed notes a page the shop returned (totals) — called by the sink.
func (r *run) listed(resource string, page connector.Page) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if page.Total > r.pageTotals[resource] {
		r.pageTotals[resource] = page.Total
	}
	if (resource == "products" || resource == "variations") && page.TotalItems > r.itemTotals[resource] {
		r.itemTotals[resource] = page.TotalItems
	}
	r.dirty = true
}

// written notes a page the database took.
func (r *run) written(items int, counts Counts) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.pagesDone++
	r.itemsDone += items
	r.counts = counts
	r.dirty = true
}

func (r *run) setPhase(p string) {
	r.mu.Lock()
	r.phase, r.dirty = p, true
	r.mu.Unlock()
}

// report writes progress (outside the data transaction) and tells the
// caller, when something changed.
func (r *run) report(ctx context.Context) {
	r.mu.Lock()
	dirty := r.dirty
	r.dirty = false
	r.mu.Unlock()
	if !dirty {
		return
	}
	p, c := r.snapshot()
	if err := r.s.store.SyncerRunProgress(ctx, r.id, c); err != nil && ctx.Err() == nil {
		r.s.log.Warn("storing sync progress", slog.Int64("connection_id", r.conn.ID), slog.Int64("run_id", r.id), slog.Any("error", err))
	}
	if r.progress != nil {
		r.progress(p)
	}
}

func (s *Service) runLocked(ctx context.Context, lockConn *store.Store, connectionID int64, kind Kind, trigger string, progress func(Progress)) (Summary, error) {
	if err := s.store.SyncerRunsAbandon(ctx, connectionID, "Synchronisatie onderbroken: OHIS werd gestopt. Hij wordt vanzelf opnieuw gedaan."); err != nil {
		return Summary{}, err
	}
	conn, err := s.store.SyncerConnection(ctx, connectionID)
	if err != nil {
		return Summary{}, err
	}
	if kind == KindIncremental && conn.Watermark == nil {
		kind = KindFull
	}
	id, started, err := s.store.SyncerRunStart(ctx, connectionID, string(kind), trigger)
	if err != nil {
		return Summary{}, err
	}
	r := &run{s: s, id: id, conn: conn, kind: kind, trigger: trigger, started: started, progress: progress,
		pageTotals: map[string]int{}, itemTotals: map[string]int{}, phase: "connecting"}
	log := s.log.With(slog.Int64("connection_id", connectionID), slog.Int64("run_id", id), slog.String("kind", string(kind)))
	log.Info("sync started", slog.String("trigger", trigger))

	// Progress goes to the database from outside the data transaction.
	progCtx, stopProgress := context.WithCancel(context.WithoutCancel(ctx))
	progDone := make(chan struct{})
	go func() {
		defer close(progDone)
		t := time.NewTicker(progressEvery)
		defer t.Stop()
		for {
			select {
			case <-progCtx.Done():
				return
			case <-t.C:
				r.report(progCtx)
			}
		}
	}()
	stop := func() {
		stopProgress()
		<-progDone
	}

	var sum Summary
	err = lockConn.InTx(ctx, func(tx *store.Store) error {
		var err error
		sum, err = r.execute(ctx, tx, stop)
		return err
	})
	stop() // idempotent: execute stops it before its last writes
	if err == nil {
		log.Info("sync succeeded", slog.Int("created", sum.Created), slog.Int("updated", sum.Updated), slog.Int("deleted", sum.Deleted),
			slog.Int("unchanged", sum.Unchanged), slog.Int("failed", sum.Failed), slog.Duration("duration", sum.Duration()))
		if r.progress != nil {
			p, _ := r.snapshot()
			p.Phase = "done"
			r.progress(p)
		}
		return sum, nil
	}
	re := classify(err)
	log.Warn("sync failed", slog.String("code", re.Code), slog.String("detail", re.Detail))
	if ferr := s.recordFailure(context.WithoutCancel(ctx), r, re); ferr != nil {
		log.Error("recording sync failure", slog.Any("error", ferr))
	}
	return Summary{}, re
}

// execute is the run inside its data transaction; stop ends the progress
// writer before the run's final writes.
func (r *run) execute(ctx context.Context, tx *store.Store, stop func()) (Summary, error) {
	s := r.s
	cn, err := s.d.Opener.Open(ctx, r.conn.ID)
	if err != nil {
		var ce *connector.Error
		if errors.As(err, &ce) || errors.Is(err, context.Canceled) {
			return Summary{}, err
		}
		return Summary{}, &RunError{Code: CodeNoConnection, Err: err, Detail: err.Error(),
			Message: "OHIS kon de gegevens van deze koppeling niet gebruiken. Vul de API-sleutels opnieuw in bij de koppeling; helpt dat niet, neem dan contact op met support."}
	}
	if err := tx.SyncerCustomPlans(ctx); err != nil {
		return Summary{}, err
	}
	a := newApplier(tx, r.conn, &r.id, s.now())
	open, err := tx.SyncerErrorsOpenItemCount(ctx, r.conn.ID)
	if err != nil {
		return Summary{}, err
	}
	a.noOpenErrors = open == 0
	p := newPipeline(ctx, r, a)
	var watermark *time.Time
	reconciled := false

	if r.kind == KindFull || r.kind == KindIncremental {
		var since *time.Time
		if r.kind == KindIncremental {
			t := r.conn.Watermark.Add(-s.d.Config.SafetyMargin)
			since = &t
		}
		listingStart := s.now()
		watermark = &listingStart
		r.setPhase("listing the catalogue")

		// Taxonomies come in beside the product listing.
		lctx, cancel := context.WithCancel(ctx)
		taxc := make(chan error, 1)
		go func() {
			t, err := cn.Taxonomies(lctx)
			if err == nil {
				err = p.send(lctx, op{tax: &t})
			}
			taxc <- err
		}()
		err := cn.ListCatalog(lctx, since, p.sink())
		if err != nil {
			cancel()
		}
		if terr := <-taxc; err == nil {
			err = terr
		}
		cancel()
		if err != nil {
			p.abort()
			return Summary{}, err
		}
	}
	if r.kind == KindFull || r.kind == KindReconcile {
		r.setPhase("listing all ids")
		if err := p.send(ctx, op{seenBegin: true}); err != nil {
			p.abort()
			return Summary{}, err
		}
		if err := cn.ListIDs(ctx, p.idSink()); err != nil {
			p.abort()
			return Summary{}, err
		}
		reconciled = true
	}
	if err := p.close(); err != nil {
		return Summary{}, err
	}

	r.setPhase("finishing")
	if err := a.retryOrphans(ctx); err != nil {
		return Summary{}, err
	}
	if reconciled {
		if err := r.reconcile(ctx, tx, a, p.idsFrom); err != nil {
			return Summary{}, err
		}
	}
	if err := a.derive(ctx); err != nil {
		return Summary{}, err
	}
	if s.d.Hook != nil {
		if ids := a.changedIDs(); len(ids) > 0 {
			if err := s.d.Hook.ProductsChanged(ctx, tx, ids); err != nil {
				return Summary{}, fmt.Errorf("curation hook: %w", err)
			}
		}
	}

	// The connection's state commits with the data.
	var next *time.Time
	if r.kind != KindReconcile {
		n := s.now().Add(s.d.Config.Interval)
		next = &n
	}
	if err := tx.SyncerMarkSucceeded(ctx, r.conn.ID, watermark, reconciled, next); err != nil {
		return Summary{}, err
	}
	if err := tx.SyncerErrorsResolveConnection(ctx, r.conn.ID); err != nil {
		return Summary{}, err
	}
	if r.kind == KindFull {
		if err := tx.SyncerErrorsResolveUnlisted(ctx, r.conn.ID, r.id); err != nil {
			return Summary{}, err
		}
	}
	if err := s.evaluateIncident(ctx, tx, r.conn.ID, ""); err != nil {
		return Summary{}, err
	}
	stop()
	r.mu.Lock()
	r.counts = a.counts
	r.mu.Unlock()
	_, c := r.snapshot()
	finished, err := tx.SyncerRunFinish(ctx, r.id, "succeeded", "", c)
	if err != nil {
		return Summary{}, err
	}
	return Summary{RunID: r.id, Kind: r.kind, Trigger: r.trigger, StartedAt: r.started, FinishedAt: finished,
		Pages: c.PagesDone, Items: c.ItemsDone, Reconciled: reconciled, Counts: a.counts}, nil
}

// reconcile compares the complete id listing with the catalogue.
func (r *run) reconcile(ctx context.Context, tx *store.Store, a *applier, listedFrom time.Time) error {
	seen, err := tx.SyncerSeenProductCount(ctx)
	if err != nil {
		return err
	}
	if seen == 0 {
		live, err := tx.SyncerLiveProductCount(ctx, r.conn.ID)
		if err != nil {
			return err
		}
		if live > 0 {
			return &RunError{Code: CodeEmptyListing,
				Message: fmt.Sprintf("De webshop meldde nul producten, terwijl er bij de vorige synchronisatie %d waren. Uit voorzorg is niets verwijderd. Staan de producten nog in de webshop, controleer dan de API (rechten van de sleutel, caching-plugins); zijn ze echt weg, neem dan contact op met support.", live),
				Detail:  fmt.Sprintf("complete id listing returned 0 products; %d live in OHIS", live)}
		}
	}
	rec, err := tx.SyncerReconcile(ctx, r.conn.ID, listedFrom)
	if err != nil {
		return err
	}
	for _, id := range rec.ProductsDeleted {
		a.changed[id] = true
	}
	for _, id := range rec.ProductsRestored {
		a.changed[id] = true
	}
	for _, id := range rec.VariantParents {
		a.parents[id] = true
		a.changed[id] = true
	}
	a.counts.Deleted += len(rec.ProductsDeleted) + rec.VariantsDeleted
	a.counts.Updated += len(rec.ProductsRestored) + rec.VariantsRestored
	r.mu.Lock()
	r.counts = a.counts
	r.dirty = true
	r.mu.Unlock()
	return nil
}

// classify turns any run error into a RunError.
func classify(err error) *RunError {
	var re *RunError
	if errors.As(err, &re) {
		return re
	}
	var ce *connector.Error
	if errors.As(err, &ce) {
		msg := ce.Message
		if msg == "" {
			msg = "De webshop gaf een fout. We proberen het automatisch opnieuw."
		}
		detail := ce.Detail
		if ce.Status != 0 {
			detail = fmt.Sprintf("HTTP %d: %s", ce.Status, detail)
		}
		return &RunError{Code: string(ce.Code), Message: oneLine(msg), Detail: detail, Err: err}
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return &RunError{Code: CodeInterrupted, Message: "De synchronisatie is onderbroken voordat hij klaar was; er is niets gewijzigd. Hij wordt automatisch opnieuw gedaan.",
			Detail: err.Error(), Err: err}
	}
	return &RunError{Code: CodeInternal, Message: "Er ging bij OHIS zelf iets mis tijdens de synchronisatie; er is niets gewijzigd. We proberen het automatisch opnieuw. Blijft dit gebeuren, neem dan contact op met support.",
		Detail: err.Error(), Err: err}
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// recordFailure stores a failed run: the run, a connection-level error
// (refreshed if the same one is open), the connection's failing state and
// its incident.
func (s *Service) recordFailure(ctx context.Context, r *run, re *RunError) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	_, c := r.snapshot()
	return s.store.InTx(ctx, func(tx *store.Store) error {
		if _, err := tx.SyncerRunFinish(ctx, r.id, "failed", re.Message, c); err != nil {
			return err
		}
		if re.Code == CodeInterrupted {
			return nil // OHIS stopped; the shop is not to blame
		}
		if err := tx.SyncerErrorsSave(ctx, r.conn.ID, &r.id, []store.SyncErrorInput{{
			Code: re.Code, Message: re.Message, Detail: re.Detail,
		}}); err != nil {
			return err
		}
		if err := tx.SyncerMarkFailed(ctx, r.conn.ID, re.Code == string(connector.CodeAuth), re.Code, s.now().Add(s.d.Config.Interval)); err != nil {
			return err
		}
		return s.evaluateIncident(ctx, tx, r.conn.ID, re.Message)
	})
}

// op is one unit of work for the data transaction, in listing order.
type op struct {
	resource  string
	page      connector.Page
	products  []connector.ProductItem
	variants  []connector.VariantItem
	ids       []string
	refs      []connector.VariantRef
	tax       *catalog.Taxonomies
	seenBegin bool
}

// pipeline lets the listing run ahead of the database: the sink queues
// pages, one goroutine writes them into the transaction in order.
type pipeline struct {
	r       *run
	a       *applier
	ops     chan op
	done    chan struct{}
	mu      sync.Mutex
	err     error
	closed  bool
	idsFrom time.Time // database clock when the id listing began
}

func newPipeline(ctx context.Context, r *run, a *applier) *pipeline {
	p := &pipeline{r: r, a: a, ops: make(chan op, pipelineDepth), done: make(chan struct{})}
	go p.loop(ctx)
	return p
}

func (p *pipeline) failure() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.err
}

func (p *pipeline) loop(ctx context.Context) {
	defer close(p.done)
	for o := range p.ops {
		if p.failure() != nil {
			continue // drain, so senders never block
		}
		if err := p.apply(ctx, o); err != nil {
			p.mu.Lock()
			p.err = err
			p.mu.Unlock()
		}
	}
}

func (p *pipeline) apply(ctx context.Context, o op) error {
	tx := p.a.tx
	switch {
	case o.seenBegin:
		if err := tx.SyncerSeenBegin(ctx); err != nil {
			return err
		}
		t, err := tx.SyncerClock(ctx)
		p.idsFrom = t
		return err
	case o.tax != nil:
		_, err := p.a.taxonomies(ctx, *o.tax)
		return err
	case o.products != nil:
		if _, err := p.a.products(ctx, o.products); err != nil {
			return err
		}
		p.r.written(len(o.products), p.a.counts)
	case o.variants != nil:
		if _, err := p.a.variants(ctx, o.variants, true); err != nil {
			return err
		}
		p.r.written(len(o.variants), p.a.counts)
	case o.ids != nil:
		if err := tx.SyncerSeenProducts(ctx, o.ids); err != nil {
			return err
		}
		p.r.written(0, p.a.counts)
	case o.refs != nil:
		refs := make([][2]string, len(o.refs))
		for i, r := range o.refs {
			refs[i] = [2]string{r.ParentExternalID, r.ExternalID}
		}
		if err := tx.SyncerSeenVariants(ctx, refs); err != nil {
			return err
		}
		p.r.written(0, p.a.counts)
	}
	return nil
}

// send queues an op; it fails when the writer already failed.
func (p *pipeline) send(ctx context.Context, o op) error {
	if err := p.failure(); err != nil {
		return err
	}
	select {
	case p.ops <- o:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}

// close waits for the queued work and returns the writer's error.
func (p *pipeline) close() error {
	p.mu.Lock()
	if !p.closed {
		p.closed = true
		close(p.ops)
	}
	p.mu.Unlock()
	<-p.done
	return p.failure()
}

// abort stops the writer after a failed listing (the transaction rolls
// back anyway).
func (p *pipeline) abort() {
	p.mu.Lock()
	if p.err == nil {
		p.err = errors.New("listing failed")
	}
	p.mu.Unlock()
	_ = p.close()
}

type sink struct{ p *pipeline }

func (p *pipeline) sink() connector.Sink { return sink{p} }

func (k sink) Products(ctx context.Context, page connector.Page, items []connector.ProductItem) error {
	k.p.r.listed("products", page)
	if items == nil {
		items = []connector.ProductItem{}
	}
	return k.p.send(ctx, op{resource: "products", page: page, products: items})
}

func (k sink) Variants(ctx context.Context, page connector.Page, items []connector.VariantItem) error {
	k.p.r.listed("variations", page)
	if items == nil {
		items = []connector.VariantItem{}
	}
	return k.p.send(ctx, op{resource: "variations", page: page, variants: items})
}

type idSink struct{ p *pipeline }

func (p *pipeline) idSink() connector.IDSink { return idSink{p} }

func (k idSink) ProductIDs(ctx context.Context, page connector.Page, ids []string) error {
	k.p.r.listed("product-ids", page)
	if ids == nil {
		ids = []string{}
	}
	return k.p.send(ctx, op{resource: "product-ids", page: page, ids: ids})
}

func (k idSink) VariantIDs(ctx context.Context, page connector.Page, refs []connector.VariantRef) error {
	k.p.r.listed("variation-ids", page)
	if refs == nil {
		refs = []connector.VariantRef{}
	}
	return k.p.send(ctx, op{resource: "variation-ids", page: page, refs: refs})
}
