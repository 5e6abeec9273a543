package store

import (
	"context"
	"time"

	"github.com/wujw/ohis/internal/store/dbsqlc"
)

// ConnectionRun is one sync run as the connection screens show it; the
// syncer writes the counters while it runs.
type ConnectionRun struct {
	ID           int64
	ConnectionID int64
	Kind         string // full, incremental, reconcile, webhook
	Trigger      string // schedule, manual, cli, webhook, connect
	StartedAt    time.Time
	FinishedAt   *time.Time
	Outcome      string // running, succeeded, failed
	PagesDone    int
	PagesTotal   int
	ItemsDone    int
	ItemsTotal   int
	Created      int
	Updated      int
	Deleted      int
	Unchanged    int
	Skipped      int
	Failed       int
	ErrorMessage string
}

func connectionRunFrom(r dbsqlc.SyncRun) ConnectionRun {
	return ConnectionRun{
		ID: r.ID, ConnectionID: r.ConnectionID, Kind: r.Kind, Trigger: r.Trigger, StartedAt: r.StartedAt,
		FinishedAt: r.FinishedAt, Outcome: r.Outcome, PagesDone: int(r.PagesDone), PagesTotal: int(r.PagesTotal),
		ItemsDone: int(r.ItemsDone), ItemsTotal: int(r.ItemsTotal), Created: int(r.Created), Updated: int(r.Updated),
		Deleted: int(r.Deleted), Unchanged: int(r.Unchanged), Skipped: int(r.Skipped), Failed: int(r.Failed),
		ErrorMessage: r.ErrorMessage,
	}
}

// ConnectionRuns lists a connection's latest runs, newest first.
func (s *Store) ConnectionRuns(ctx context.Context, connectionID int64, limit int) ([]ConnectionRun, error) {
	rows, err := s.q.SyncRunHistory(ctx, dbsqlc.SyncRunHistoryParams{ConnectionID: connectionID, MaxRows: int32(limit)})
	if err != nil {
		return nil, interpret(err, "listing sync runs")
	}
	out := make([]ConnectionRun, len(rows))
	for i, r := range rows {
		out[i] = connectionRunFrom(r)
	}
	return out, nil
}

// ConnectionLatestRun returns a connection's newest run, or ErrNotFound.
func (s *Store) ConnectionLatestRun(ctx context.Context, connectionID int64) (ConnectionRun, error) {
	r, err := s.q.SyncRunLatest(ctx, connectionID)
	if err != nil {
		return ConnectionRun{}, interpret(err, "getting latest sync run")
	}
	return connectionRunFrom(r), nil
}

// ConnectionSyncError is one recorded sync problem: Message is Dutch and
// for the supplier, Detail is technical and for staff only.
type ConnectionSyncError struct {
	ID                int64
	ConnectionID      int64
	RunID             *int64
	ProductExternalID string
	ProductName       string
	Code              string
	Message           string
	Detail            string
	CreatedAt         time.Time
	ResolvedAt        *time.Time
}

// SyncErrorFilter narrows a connection's error list.
type SyncErrorFilter struct {
	State    string // open, resolved, or "" for both
	Code     string
	Search   string // product name (part) or the shop's product id
	BeforeID int64  // keyset cursor: errors older than this id
	Limit    int
}

// ConnectionSyncErrors lists a connection's errors, newest first.
func (s *Store) ConnectionSyncErrors(ctx context.Context, connectionID int64, f SyncErrorFilter) ([]ConnectionSyncError, error) {
	p := dbsqlc.SyncErrorPageParams{ConnectionID: connectionID, State: f.State, Code: f.Code,
		Search: connectionsLike(f.Search), MaxRows: int32(f.Limit)}
	if p.MaxRows <= 0 {
		p.MaxRows = 50
	}
	if f.BeforeID > 0 {
		p.BeforeID = &f.BeforeID
	}
	rows, err := s.q.SyncErrorPage(ctx, p)
	if err != nil {
		return nil, interpret(err, "listing sync errors")
	}
	out := make([]ConnectionSyncError, len(rows))
	for i, r := range rows {
		out[i] = ConnectionSyncError(r)
	}
	return out, nil
}

// ConnectionSyncErrorCodes lists the error codes a connection has had, for
// the filter.
func (s *Store) ConnectionSyncErrorCodes(ctx context.Context, connectionID int64) ([]string, error) {
	codes, err := s.q.SyncErrorCodes(ctx, connectionID)
	return codes, interpret(err, "listing sync error codes")
}

// SupplierProduct is a synced product as its supplier sees it, with the
// curators' decision.
type SupplierProduct struct {
	ID                int64
	ConnectionID      int64
	Environment       string
	ExternalID        string
	Type              string // simple, variable
	ShopStatus        string
	Name              string
	SKU               string
	PriceCents        *int64
	RegularPriceCents *int64
	SalePriceCents    *int64
	ManageStock       bool
	StockQuantity     *int
	StockStatus       string
	Permalink         string
	UpdatedAt         time.Time
	DeletedAt         *time.Time
	VariantCount      int
	// Curation: pending, approved, rejected, changed; the reason (label of
	// the managed reason and/or free text) when rejected.
	CurationStatus      string
	CurationReasonLabel string
	CurationReasonText  string
	CurationDecidedAt   *time.Time
}

// SupplierProductFilter narrows a supplier's product list.
type SupplierProductFilter struct {
	Environment  string
	ConnectionID *int64
	Search       string // name or SKU, part of it
	Curation     string // pending, approved, rejected, changed or ""
	HideDeleted  bool
	// Keyset cursor: products after (AfterName, AfterID) by name.
	AfterName *string
	AfterID   int64
	Limit     int
}

// SupplierProducts lists a supplier's synced products by name. The
// supplier id always comes from the session.
func (s *Store) SupplierProducts(ctx context.Context, supplierID int64, f SupplierProductFilter) ([]SupplierProduct, error) {
	p := dbsqlc.ProductSupplierPageParams{SupplierID: supplierID, Environment: f.Environment, ConnectionID: f.ConnectionID,
		Search: connectionsLike(f.Search), Curation: f.Curation, HideDeleted: f.HideDeleted, MaxRows: int32(f.Limit)}
	if p.MaxRows <= 0 {
		p.MaxRows = 50
	}
	if f.AfterName != nil {
		p.AfterName, p.AfterID = f.AfterName, &f.AfterID
	}
	rows, err := s.q.ProductSupplierPage(ctx, p)
	if err != nil {
		return nil, interpret(err, "listing supplier products")
	}
	out := make([]SupplierProduct, len(rows))
	for i, r := range rows {
		var qty *int
		if r.StockQuantity != nil {
			q := int(*r.StockQuantity)
			qty = &q
		}
		out[i] = SupplierProduct{
			ID: r.ID, ConnectionID: r.ConnectionID, Environment: r.Environment, ExternalID: r.ExternalID, Type: r.Type,
			ShopStatus: r.ShopStatus, Name: r.Name, SKU: r.Sku, PriceCents: r.PriceCents, RegularPriceCents: r.RegularPriceCents,
			SalePriceCents: r.SalePriceCents, ManageStock: r.ManageStock, StockQuantity: qty, StockStatus: r.StockStatus,
			Permalink: r.Permalink, UpdatedAt: r.UpdatedAt, DeletedAt: r.DeletedAt, VariantCount: int(r.VariantCount),
			CurationStatus: r.CurationStatus, CurationReasonLabel: r.CurationReasonLabel, CurationReasonText: r.CurationReasonText,
			CurationDecidedAt: r.CurationDecidedAt,
		}
	}
	return out, nil
}

// SupplierProductCounts counts a supplier's synced products (all, and not
// deleted), optionally of one connection.
func (s *Store) SupplierProductCounts(ctx context.Context, supplierID int64, connectionID *int64) (total, live int, err error) {
	r, err := s.q.ProductSupplierCount(ctx, dbsqlc.ProductSupplierCountParams{SupplierID: supplierID, ConnectionID: connectionID})
	if err != nil {
		return 0, 0, interpret(err, "counting supplier products")
	}
	return int(r.Total), int(r.Live), nil
}
