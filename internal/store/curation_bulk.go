package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/wujw/ohis/internal/audit"
	"github.com/wujw/ohis/internal/store/dbsqlc"
)

// BulkDecision is a bulk approval or rejection and how far it got.
type BulkDecision struct {
	ID             int64
	Actor          audit.Actor
	Action         string // approve, reject
	ReasonID       *int64
	ReasonLabel    string
	ReasonText     string
	Filter         *CurationFilter // set for "everything matching"
	ProductIDs     []int64         // set for picked rows
	Total          int
	Done           int
	Decided        int
	SkippedChanged int
	SkippedDecided int
	Status         string // queued, running, done, failed
	LastID         int64
	Error          string
	CreatedAt      time.Time
	StartedAt      *time.Time
	FinishedAt     *time.Time
}

// NewBulkDecision is a bulk decision as requested.
type NewBulkDecision struct {
	Actor      audit.Actor
	Action     string
	ReasonID   *int64
	ReasonText string
	Filter     *CurationFilter
	// Picked rows: product ids with the curation version the curator saw.
	ProductIDs []int64
	Versions   []int64
}

// BulkDecisionCreate stores a bulk decision and fixes its selection; it
// returns the id and how many products it holds. Call it inside InTx.
func (s *Store) BulkDecisionCreate(ctx context.Context, n NewBulkDecision) (int64, int, error) {
	p := dbsqlc.BulkDecisionCreateParams{
		ActorID: n.Actor.UserID, ActorEmail: n.Actor.Email, ActorIp: n.Actor.IP, Action: n.Action,
		ReasonID: n.ReasonID, ReasonText: n.ReasonText,
	}
	if n.Filter != nil {
		b, err := json.Marshal(n.Filter)
		if err != nil {
			return 0, 0, fmt.Errorf("encoding bulk filter: %w", err)
		}
		p.Filter = b
	} else {
		p.ProductIds = n.ProductIDs
	}
	id, err := s.q.BulkDecisionCreate(ctx, p)
	if err != nil {
		return 0, 0, interpret(err, "creating bulk decision")
	}
	var total int
	if n.Filter != nil {
		total, err = s.BulkDecisionItemsFromFilter(ctx, id, *n.Filter)
	} else {
		var rows int64
		rows, err = s.q.BulkDecisionItemsFromPairs(ctx, dbsqlc.BulkDecisionItemsFromPairsParams{
			BulkID: id, ProductIds: n.ProductIDs, Versions: n.Versions,
		})
		total = int(rows)
		err = interpret(err, "selecting picked products")
	}
	if err != nil {
		return 0, 0, err
	}
	if err := s.q.BulkDecisionSetTotal(ctx, dbsqlc.BulkDecisionSetTotalParams{ID: id, Total: int32(total)}); err != nil {
		return 0, 0, interpret(err, "counting bulk decision")
	}
	return id, total, nil
}

func bulkFromRow(r dbsqlc.BulkDecisionGetRow) BulkDecision {
	b := BulkDecision{
		ID: r.ID, Actor: audit.Actor{UserID: r.ActorID, Email: r.ActorEmail, IP: r.ActorIp}, Action: r.Action,
		ReasonID: r.ReasonID, ReasonLabel: r.ReasonLabel, ReasonText: r.ReasonText, ProductIDs: r.ProductIds,
		Total: int(r.Total), Done: int(r.Done), Decided: int(r.Decided), SkippedChanged: int(r.SkippedChanged),
		SkippedDecided: int(r.SkippedDecided), Status: r.Status, LastID: r.LastID, Error: r.Error,
		CreatedAt: r.CreatedAt, StartedAt: r.StartedAt, FinishedAt: r.FinishedAt,
	}
	if len(r.Filter) > 0 && string(r.Filter) != "null" {
		var f CurationFilter
		if json.Unmarshal(r.Filter, &f) == nil {
			b.Filter = &f
		}
	}
	return b
}

// BulkDecisionGet returns a bulk decision.
func (s *Store) BulkDecisionGet(ctx context.Context, id int64) (BulkDecision, error) {
	r, err := s.q.BulkDecisionGet(ctx, id)
	if err != nil {
		return BulkDecision{}, interpret(err, "getting bulk decision")
	}
	return bulkFromRow(r), nil
}

// BulkDecisionLock returns a bulk decision locked for the rest of the
// transaction, so that one runner at a time moves it on.
func (s *Store) BulkDecisionLock(ctx context.Context, id int64) (BulkDecision, error) {
	r, err := s.q.BulkDecisionLock(ctx, id)
	if err != nil {
		return BulkDecision{}, interpret(err, "locking bulk decision")
	}
	return bulkFromRow(dbsqlc.BulkDecisionGetRow(r)), nil
}

// BulkDecisionRecent lists the latest bulk decisions.
func (s *Store) BulkDecisionRecent(ctx context.Context, limit int) ([]BulkDecision, error) {
	rows, err := s.q.BulkDecisionRecent(ctx, int32(limit))
	if err != nil {
		return nil, interpret(err, "listing bulk decisions")
	}
	out := make([]BulkDecision, len(rows))
	for i, r := range rows {
		out[i] = bulkFromRow(dbsqlc.BulkDecisionGetRow(r))
	}
	return out, nil
}

// BulkBatch is what one batch of a bulk decision did.
type BulkBatch struct {
	Items   int   // products looked at
	LastID  int64 // the highest product id looked at
	Decided int
	Already int // already in the target status: skipped
	Changed int // changed since the bulk started, or gone: skipped
}

// BulkDecisionApplyBatch decides the next batch of up to size products
// after afterID: products whose curation version is still the one the bulk
// started with are decided, set-based, with one audit row each; products
// already in the target status are skipped as already decided; the rest
// (changed since the bulk started, or gone) are skipped as changed. Call
// it inside InTx together with BulkDecisionProgress.
func (s *Store) BulkDecisionApplyBatch(ctx context.Context, b BulkDecision, action audit.Action, status string, detail map[string]string, afterID int64, size int) (BulkBatch, error) {
	items, err := s.q.BulkDecisionBatch(ctx, dbsqlc.BulkDecisionBatchParams{BulkID: b.ID, AfterID: afterID, BatchSize: int32(size)})
	if err != nil {
		return BulkBatch{}, interpret(err, "reading a batch")
	}
	out := BulkBatch{Items: len(items)}
	if len(items) == 0 {
		return out, nil
	}
	out.LastID = items[len(items)-1].ProductID
	ids := make([]int64, len(items))
	seen := make(map[int64]int64, len(items))
	for i, it := range items {
		ids[i], seen[it.ProductID] = it.ProductID, it.Version
	}
	rows, err := s.q.ProductCurationLockMany(ctx, ids)
	if err != nil {
		return BulkBatch{}, interpret(err, "locking a batch")
	}
	var decide []int64
	for _, r := range rows {
		switch {
		case r.Version != seen[r.ProductID]:
			// Changed (or decided by someone else) since the bulk started.
		case r.Status == status:
			out.Already++
		default:
			decide = append(decide, r.ProductID)
		}
	}
	out.Decided = len(decide)
	out.Changed = out.Items - out.Decided - out.Already
	if len(decide) == 0 {
		return out, nil
	}
	if err := s.q.ProductCurationDecideMany(ctx, dbsqlc.ProductCurationDecideManyParams{
		Status: status, ReasonID: b.ReasonID, ReasonText: b.ReasonText, ActorID: b.Actor.UserID, ProductIds: decide,
	}); err != nil {
		return BulkBatch{}, interpret(err, "deciding a batch")
	}
	d, err := json.Marshal(detail)
	if err != nil {
		return BulkBatch{}, fmt.Errorf("encoding audit detail: %w", err)
	}
	if err := s.q.AuditAddForProducts(ctx, dbsqlc.AuditAddForProductsParams{
		ActorID: b.Actor.UserID, ActorEmail: b.Actor.Email, Action: string(action), ActorIp: b.Actor.IP, Detail: d, ProductIds: decide,
	}); err != nil {
		return BulkBatch{}, interpret(err, "auditing a batch")
	}
	return out, nil
}

// BulkDecisionProgress records a batch: where the next one starts and the
// counts; finished marks the bulk done.
func (s *Store) BulkDecisionProgress(ctx context.Context, id int64, batch BulkBatch, finished bool) error {
	return interpret(s.q.BulkDecisionProgress(ctx, dbsqlc.BulkDecisionProgressParams{
		ID: id, LastID: batch.LastID, Done: int32(batch.Items), Decided: int32(batch.Decided),
		SkippedChanged: int32(batch.Changed), SkippedDecided: int32(batch.Already), Finished: finished,
	}), "recording bulk progress")
}

// BulkDecisionFail marks a bulk decision failed with a Dutch message.
func (s *Store) BulkDecisionFail(ctx context.Context, id int64, msg string) error {
	return interpret(s.q.BulkDecisionFail(ctx, dbsqlc.BulkDecisionFailParams{ID: id, Error: msg}), "marking bulk failed")
}
