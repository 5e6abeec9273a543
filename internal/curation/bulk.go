package curation

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/riverqueue/river"

	"github.com/wujw/ohis/internal/audit"
	"github.com/wujw/ohis/internal/store"
)

// Bulk actions.
const (
	BulkApprove = "approve"
	BulkReject  = "reject"
)

// MaxPicks bounds the rows one request may pick by hand.
const MaxPicks = 5000

// Pick is a product picked in the queue with the curation version shown.
type Pick struct {
	ProductID int64
	Version   int64
}

// BulkRequest is a bulk decision as asked: picked rows, or everything
// matching a queue filter.
type BulkRequest struct {
	Action     string // BulkApprove or BulkReject
	ReasonID   int64
	ReasonText string
	Picks      []Pick
	Filter     *store.CurationFilter
}

// BulkResult is a started bulk decision: finished already when it was
// small, else running as a job (Background).
type BulkResult struct {
	Bulk       store.BulkDecision
	Background bool
}

// StartBulk fixes the selection with each product's curation version and
// either decides it at once (up to DirectLimit products, one transaction)
// or hands it to a job that decides it in batches.
func (s *Service) StartBulk(ctx context.Context, actor audit.Actor, req BulkRequest) (BulkResult, error) {
	if req.Action != BulkApprove && req.Action != BulkReject {
		return BulkResult{}, Refused{"Kies goedkeuren of afwijzen."}
	}
	if req.Filter == nil && len(req.Picks) == 0 {
		return BulkResult{}, Refused{"Selecteer eerst een of meer producten."}
	}
	if len(req.Picks) > MaxPicks {
		return BulkResult{}, Refused{fmt.Sprintf("Selecteer hoogstens %d producten tegelijk, of kies ‘alles wat aan dit filter voldoet’.", MaxPicks)}
	}
	n := store.NewBulkDecision{Actor: actor, Action: req.Action, Filter: req.Filter}
	if req.Action == BulkReject {
		text, err := checkReason(ctx, s.store, req.ReasonID, req.ReasonText)
		if err != nil {
			return BulkResult{}, err
		}
		n.ReasonID, n.ReasonText = &req.ReasonID, text
	}
	if req.Filter == nil {
		seen := map[int64]bool{}
		for _, p := range req.Picks {
			if !seen[p.ProductID] {
				seen[p.ProductID] = true
				n.ProductIDs = append(n.ProductIDs, p.ProductID)
				n.Versions = append(n.Versions, p.Version)
			}
		}
	}
	var res BulkResult
	err := s.store.InTx(ctx, func(tx *store.Store) error {
		id, total, err := tx.BulkDecisionCreate(ctx, n)
		if err != nil {
			return err
		}
		if total == 0 {
			return Refused{"Er zijn geen producten die aan deze selectie voldoen."}
		}
		detail := map[string]string{"action": req.Action, "total": strconv.Itoa(total)}
		if err := tx.AuditAdd(ctx, audit.Entry{Actor: actor, Action: AuditBulkStarted, SubjectType: "bulk_decision",
			SubjectID: strconv.FormatInt(id, 10), Detail: detail}); err != nil {
			return err
		}
		if total <= s.DirectLimit {
			if _, err := runBulk(ctx, tx, id, total+1, 0); err != nil {
				return err
			}
		} else {
			if s.jobs == nil {
				return errors.New("curation: no job client for a large bulk decision")
			}
			if _, err := s.jobs.InsertTx(ctx, tx.Tx(), BulkArgs{BulkID: id}, nil); err != nil {
				return fmt.Errorf("queueing bulk decision: %w", err)
			}
			res.Background = true
		}
		res.Bulk, err = tx.BulkDecisionGet(ctx, id)
		return err
	})
	return res, err
}

// Bulk returns a bulk decision and its progress.
func (s *Service) Bulk(ctx context.Context, id int64) (store.BulkDecision, error) {
	return s.store.BulkDecisionGet(ctx, id)
}

// RecentBulks lists the latest bulk decisions.
func (s *Service) RecentBulks(ctx context.Context, limit int) ([]store.BulkDecision, error) {
	return s.store.BulkDecisionRecent(ctx, limit)
}

// runBulk decides the rest of a bulk in batches of size, each in its own
// transaction (a savepoint when st is already one), recording progress
// with each batch, so that a run that stops resumes after the last batch
// that committed. maxBatches > 0 stops after that many (for tests of
// resuming). It reports whether the bulk is finished.
func runBulk(ctx context.Context, st *store.Store, id int64, size, maxBatches int) (bool, error) {
	for n := 0; maxBatches <= 0 || n < maxBatches; n++ {
		if err := ctx.Err(); err != nil {
			return false, err
		}
		finished := false
		err := st.InTx(ctx, func(tx *store.Store) error {
			b, err := tx.BulkDecisionLock(ctx, id)
			if err != nil {
				return err
			}
			if b.Status == "done" || b.Status == "failed" {
				finished = true
				return nil
			}
			action, status := AuditApproved, store.CurationApproved
			detail := map[string]string{"bulk": strconv.FormatInt(id, 10)}
			if b.Action == BulkReject {
				action, status = AuditRejected, store.CurationRejected
				detail["reason"] = reasonDetail(b.ReasonLabel, b.ReasonText)
			}
			batch, err := tx.BulkDecisionApplyBatch(ctx, b, action, status, detail, b.LastID, size)
			if err != nil {
				return err
			}
			if batch.Items == 0 {
				batch.LastID = b.LastID
			}
			finished = batch.Items < size
			return tx.BulkDecisionProgress(ctx, id, batch, finished)
		})
		if err != nil || finished {
			return finished, err
		}
	}
	return false, nil
}

// BulkArgs is the job that decides a large bulk.
type BulkArgs struct {
	BulkID int64 `json:"bulk_id"`
}

// Kind names the job.
func (BulkArgs) Kind() string { return "curation_bulk_decision" }

// InsertOpts: the default queue, one job per bulk.
func (BulkArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: river.QueueDefault, MaxAttempts: 10, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// BulkWorker runs bulk decisions. It resumes where the last committed
// batch ended, so a retry after a crash or a failed batch neither repeats
// nor skips a product.
type BulkWorker struct {
	river.WorkerDefaults[BulkArgs]
	Store  *store.Store
	Logger *slog.Logger
	// BatchSize is how many products one transaction decides (default
	// 1,000).
	BatchSize int
}

// Timeout allows for very large bulks; each batch commits on its own.
func (w *BulkWorker) Timeout(*river.Job[BulkArgs]) time.Duration { return 30 * time.Minute }

// Work decides the bulk's remaining products.
func (w *BulkWorker) Work(ctx context.Context, job *river.Job[BulkArgs]) error {
	size := w.BatchSize
	if size <= 0 {
		size = 1000
	}
	_, err := runBulk(ctx, w.Store, job.Args.BulkID, size, 0)
	if errors.Is(err, store.ErrNotFound) {
		return river.JobCancel(fmt.Errorf("bulk decision %d does not exist", job.Args.BulkID))
	}
	if err != nil && job.Attempt >= job.MaxAttempts {
		msg := "Het bulkbesluit kon niet worden afgerond. De producten die al besloten waren, blijven besloten; start een nieuw bulkbesluit voor de rest."
		if ferr := w.Store.BulkDecisionFail(context.WithoutCancel(ctx), job.Args.BulkID, msg); ferr != nil {
			w.Logger.Error("marking bulk decision failed", slog.Int64("bulk_id", job.Args.BulkID), slog.Any("error", ferr))
		}
	}
	return err
}

// ResumeBulk decides the rest of a bulk now, in batches (used by tests and
// the benchmark; the job calls the same code). maxBatches > 0 stops early.
func (s *Service) ResumeBulk(ctx context.Context, id int64, maxBatches int) (bool, error) {
	return runBulk(ctx, s.store, id, s.BatchSize, maxBatches)
}
