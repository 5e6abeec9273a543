package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/wujw/ohis/internal/store/dbsqlc"
)

// SyncState is a connection as the syncer sees it: where it is and how its
// syncs went.
type SyncState struct {
	ID               int64
	SupplierID       int64
	Environment      string
	Platform         string
	Paused           bool
	Watermark        *time.Time
	LastSuccessAt    *time.Time
	LastAttemptAt    *time.Time
	LastReconcileAt  *time.Time
	NextSyncAt       *time.Time
	FailingSince     *time.Time
	LastErrorCode    string
	AuthFailed       bool
	WebhookStatus    string
	WebhookCheckedAt *time.Time
	IncidentKind     string
	IncidentSince    *time.Time
	IncidentMailedAt *time.Time
}

// SyncerConnection returns a connection's sync state.
func (s *Store) SyncerConnection(ctx context.Context, id int64) (SyncState, error) {
	r, err := s.q.SyncerConnection(ctx, id)
	if err != nil {
		return SyncState{}, interpret(err, "getting connection sync state")
	}
	return SyncState(r), nil
}

// SyncerConnectionForUpdate returns a connection's sync state and locks its
// row for the rest of the transaction.
func (s *Store) SyncerConnectionForUpdate(ctx context.Context, id int64) (SyncState, error) {
	r, err := s.q.SyncerConnectionForUpdate(ctx, id)
	if err != nil {
		return SyncState{}, interpret(err, "locking connection sync state")
	}
	return SyncState(r), nil
}

// SyncerConnectionPlatform returns a connection's platform name.
func (s *Store) SyncerConnectionPlatform(ctx context.Context, id int64) (string, error) {
	p, err := s.q.SyncerConnectionPlatform(ctx, id)
	return p, interpret(err, "getting connection platform")
}

// SyncerMarkSucceeded records a committed run: the new watermark (nil for a
// reconciliation), whether ids were reconciled, when the next incremental
// is due; the connection is healthy again.
func (s *Store) SyncerMarkSucceeded(ctx context.Context, id int64, watermark *time.Time, reconciled bool, next *time.Time) error {
	return interpret(s.q.SyncerConnectionSucceeded(ctx, dbsqlc.SyncerConnectionSucceededParams{
		ID: id, Watermark: watermark, Reconciled: reconciled, NextSyncAt: next,
	}), "recording sync success")
}

// SyncerMarkFailed records a failed run: failing since now unless already,
// whether the shop refused the credentials, the error code and the next
// scheduled attempt.
func (s *Store) SyncerMarkFailed(ctx context.Context, id int64, authFailed bool, code string, next time.Time) error {
	return interpret(s.q.SyncerConnectionFailed(ctx, dbsqlc.SyncerConnectionFailedParams{
		ID: id, AuthFailed: authFailed, Code: code, NextSyncAt: &next,
	}), "recording sync failure")
}

// SyncerSetNextSync sets when the next scheduled incremental sync is due.
func (s *Store) SyncerSetNextSync(ctx context.Context, id int64, next time.Time) error {
	return interpret(s.q.SyncerConnectionSetNextSync(ctx, dbsqlc.SyncerConnectionSetNextSyncParams{ID: id, NextSyncAt: &next}),
		"setting next sync")
}

// SyncerDue lists connections whose incremental sync is due, locking them
// (SKIP LOCKED) for the rest of the transaction.
func (s *Store) SyncerDue(ctx context.Context) ([]int64, error) {
	rows, err := s.q.SyncerConnectionsDue(ctx)
	if err != nil {
		return nil, interpret(err, "listing due connections")
	}
	out := make([]int64, len(rows))
	for i, r := range rows {
		out[i] = r.ID
	}
	return out, nil
}

// SyncerReconcileDue lists synced connections not reconciled for every.
func (s *Store) SyncerReconcileDue(ctx context.Context, every time.Duration) ([]int64, error) {
	ids, err := s.q.SyncerConnectionsReconcileDue(ctx, every.Seconds())
	return ids, interpret(err, "listing connections due for reconciliation")
}

// SyncerWebhookDue lists connections with webhooks whose status was not
// checked for every.
func (s *Store) SyncerWebhookDue(ctx context.Context, every time.Duration) ([]int64, error) {
	ids, err := s.q.SyncerConnectionsWebhookDue(ctx, every.Seconds())
	return ids, interpret(err, "listing connections due for a webhook check")
}

// SyncerIncidentDue lists connections whose incident state may be out of
// date: an incident to open (failing longer than failing, refused keys,
// disabled webhooks) or one to close.
func (s *Store) SyncerIncidentDue(ctx context.Context, failing time.Duration) ([]int64, error) {
	ids, err := s.q.SyncerConnectionsIncidentDue(ctx, failing.Seconds())
	return ids, interpret(err, "listing connections with incident changes")
}

// SyncerSetWebhookStatus records the outcome of a webhook registration or
// check.
func (s *Store) SyncerSetWebhookStatus(ctx context.Context, id int64, status string) error {
	return interpret(s.q.SyncerConnectionSetWebhookStatus(ctx, dbsqlc.SyncerConnectionSetWebhookStatusParams{ID: id, WebhookStatus: status}),
		"setting webhook status")
}

// SyncerSetIncident opens (kind set), changes or closes (kind ”) a
// connection's incident.
func (s *Store) SyncerSetIncident(ctx context.Context, id int64, kind string, since, mailedAt *time.Time) error {
	return interpret(s.q.SyncerConnectionSetIncident(ctx, dbsqlc.SyncerConnectionSetIncidentParams{
		ID: id, IncidentKind: kind, IncidentSince: since, IncidentMailedAt: mailedAt,
	}), "setting connection incident")
}

// Recipient is someone to mail.
type Recipient struct {
	Email string
	Name  string
}

// SyncerRecipients lists the active users of a supplier.
func (s *Store) SyncerRecipients(ctx context.Context, supplierID int64) ([]Recipient, error) {
	rows, err := s.q.SyncerSupplierRecipients(ctx, &supplierID)
	if err != nil {
		return nil, interpret(err, "listing supplier users")
	}
	out := make([]Recipient, len(rows))
	for i, r := range rows {
		out[i] = Recipient(r)
	}
	return out, nil
}

// SyncerWebhookSave records a webhook OHIS has in the shop for a topic.
func (s *Store) SyncerWebhookSave(ctx context.Context, connectionID int64, topic, externalID, status string) error {
	return interpret(s.q.SyncerWebhookSave(ctx, dbsqlc.SyncerWebhookSaveParams{
		ConnectionID: connectionID, Topic: topic, ExternalID: externalID, Status: status,
	}), "saving connection webhook")
}

// SyncCounters are a run's progress and outcome counts.
type SyncCounters struct {
	PagesDone, PagesTotal, ItemsDone, ItemsTotal          int
	Created, Updated, Deleted, Unchanged, Skipped, Failed int
}

// SyncerRunStart records the start of a run and returns its id and start
// time (database clock).
func (s *Store) SyncerRunStart(ctx context.Context, connectionID int64, kind, trigger string) (int64, time.Time, error) {
	r, err := s.q.SyncerRunStart(ctx, dbsqlc.SyncerRunStartParams{ConnectionID: connectionID, Kind: kind, Trigger: trigger})
	if err != nil {
		return 0, time.Time{}, interpret(err, "starting sync run")
	}
	return r.ID, r.StartedAt, nil
}

// SyncerRunProgress stores a running run's counters.
func (s *Store) SyncerRunProgress(ctx context.Context, id int64, c SyncCounters) error {
	return interpret(s.q.SyncerRunProgress(ctx, dbsqlc.SyncerRunProgressParams{
		ID: id, PagesDone: i32(c.PagesDone), PagesTotal: i32(c.PagesTotal), ItemsDone: i32(c.ItemsDone), ItemsTotal: i32(c.ItemsTotal),
		Created: i32(c.Created), Updated: i32(c.Updated), Deleted: i32(c.Deleted), Unchanged: i32(c.Unchanged),
		Skipped: i32(c.Skipped), Failed: i32(c.Failed),
	}), "storing sync progress")
}

// SyncerRunFinish ends a run with its outcome (succeeded or failed), a
// Dutch error message and its final counters; it returns the end time.
func (s *Store) SyncerRunFinish(ctx context.Context, id int64, outcome, message string, c SyncCounters) (time.Time, error) {
	at, err := s.q.SyncerRunFinish(ctx, dbsqlc.SyncerRunFinishParams{
		ID: id, Outcome: outcome, ErrorMessage: message,
		PagesDone: i32(c.PagesDone), PagesTotal: i32(c.PagesTotal), ItemsDone: i32(c.ItemsDone), ItemsTotal: i32(c.ItemsTotal),
		Created: i32(c.Created), Updated: i32(c.Updated), Deleted: i32(c.Deleted), Unchanged: i32(c.Unchanged),
		Skipped: i32(c.Skipped), Failed: i32(c.Failed),
	})
	if err != nil {
		return time.Time{}, interpret(err, "finishing sync run")
	}
	if at == nil {
		return time.Time{}, nil
	}
	return *at, nil
}

// SyncerRunsAbandon fails the runs of a connection still marked running:
// call it only while holding the connection's sync lock.
func (s *Store) SyncerRunsAbandon(ctx context.Context, connectionID int64, message string) error {
	return interpret(s.q.SyncerRunsAbandon(ctx, dbsqlc.SyncerRunsAbandonParams{ConnectionID: connectionID, ErrorMessage: message}),
		"abandoning stale sync runs")
}

// SyncRunRecord is a stored sync run.
type SyncRunRecord struct {
	ID           int64
	ConnectionID int64
	Kind         string
	Trigger      string
	StartedAt    time.Time
	FinishedAt   *time.Time
	Outcome      string
	ErrorMessage string
	SyncCounters
}

func syncRunRecordFrom(r dbsqlc.SyncRun) SyncRunRecord {
	return SyncRunRecord{
		ID: r.ID, ConnectionID: r.ConnectionID, Kind: r.Kind, Trigger: r.Trigger, StartedAt: r.StartedAt, FinishedAt: r.FinishedAt,
		Outcome: r.Outcome, ErrorMessage: r.ErrorMessage,
		SyncCounters: SyncCounters{
			PagesDone: int(r.PagesDone), PagesTotal: int(r.PagesTotal), ItemsDone: int(r.ItemsDone), ItemsTotal: int(r.ItemsTotal),
			Created: int(r.Created), Updated: int(r.Updated), Deleted: int(r.Deleted), Unchanged: int(r.Unchanged),
			Skipped: int(r.Skipped), Failed: int(r.Failed),
		},
	}
}

// SyncerRun returns one run.
func (s *Store) SyncerRun(ctx context.Context, id int64) (SyncRunRecord, error) {
	r, err := s.q.SyncerRunGet(ctx, id)
	if err != nil {
		return SyncRunRecord{}, interpret(err, "getting sync run")
	}
	return syncRunRecordFrom(r), nil
}

// SyncerRuns lists a connection's runs, oldest first.
func (s *Store) SyncerRuns(ctx context.Context, connectionID int64) ([]SyncRunRecord, error) {
	rows, err := s.q.SyncerRunsByConnection(ctx, connectionID)
	if err != nil {
		return nil, interpret(err, "listing sync runs")
	}
	out := make([]SyncRunRecord, len(rows))
	for i, r := range rows {
		out[i] = syncRunRecordFrom(r)
	}
	return out, nil
}

// SyncErrorInput is a problem to record: with ProductExternalID ” it is
// about the whole connection.
type SyncErrorInput struct {
	ProductExternalID string `json:"product_external_id"`
	ProductName       string `json:"product_name"`
	Code              string `json:"code"`
	Message           string `json:"message"`
	Detail            string `json:"detail"`
}

// SyncerErrorsSave records errors: an open error of the same connection,
// product and code is refreshed (one open row each), others are added.
func (s *Store) SyncerErrorsSave(ctx context.Context, connectionID int64, runID *int64, errs []SyncErrorInput) error {
	if len(errs) == 0 {
		return nil
	}
	seen := make(map[[2]string]bool, len(errs))
	uniq := errs[:0:0]
	for _, e := range errs {
		k := [2]string{e.ProductExternalID, e.Code}
		if !seen[k] {
			seen[k] = true
			uniq = append(uniq, e)
		}
	}
	rows, err := json.Marshal(uniq)
	if err != nil {
		return fmt.Errorf("encoding sync errors: %w", err)
	}
	if err := s.q.SyncerErrorsRefresh(ctx, dbsqlc.SyncerErrorsRefreshParams{ConnectionID: connectionID, RunID: runID, Rows: rows}); err != nil {
		return interpret(err, "refreshing sync errors")
	}
	return interpret(s.q.SyncerErrorsAdd(ctx, dbsqlc.SyncerErrorsAddParams{ConnectionID: connectionID, RunID: runID, Rows: rows}),
		"adding sync errors")
}

// SyncerErrorsResolveItems resolves the open errors of products or variants
// that synced fine.
func (s *Store) SyncerErrorsResolveItems(ctx context.Context, connectionID int64, externalIDs []string) error {
	if len(externalIDs) == 0 {
		return nil
	}
	return interpret(s.q.SyncerErrorsResolveItems(ctx, dbsqlc.SyncerErrorsResolveItemsParams{ConnectionID: connectionID, ExternalIds: externalIDs}),
		"resolving sync errors")
}

// SyncerErrorsResolveUnlisted resolves, after a complete listing, the
// per-item errors that run did not report again.
func (s *Store) SyncerErrorsResolveUnlisted(ctx context.Context, connectionID, runID int64) error {
	return interpret(s.q.SyncerErrorsResolveUnlisted(ctx, dbsqlc.SyncerErrorsResolveUnlistedParams{ConnectionID: connectionID, RunID: runID}),
		"resolving errors of unlisted items")
}

// SyncerErrorsOpenItemCount counts the connection's open per-item errors.
func (s *Store) SyncerErrorsOpenItemCount(ctx context.Context, connectionID int64) (int, error) {
	n, err := s.q.SyncerErrorsOpenItemCount(ctx, connectionID)
	return int(n), interpret(err, "counting open item errors")
}

// SyncerErrorsResolveConnection resolves the open connection-level errors.
func (s *Store) SyncerErrorsResolveConnection(ctx context.Context, connectionID int64) error {
	return interpret(s.q.SyncerErrorsResolveConnection(ctx, connectionID), "resolving connection errors")
}

// SyncErrorRecord is a stored sync error.
type SyncErrorRecord struct {
	ID                int64
	RunID             *int64
	ProductExternalID string
	ProductName       string
	Code              string
	Message           string
	Detail            string
	CreatedAt         time.Time
	ResolvedAt        *time.Time
}

// SyncerErrorsOpen lists a connection's open errors, oldest first.
func (s *Store) SyncerErrorsOpen(ctx context.Context, connectionID int64) ([]SyncErrorRecord, error) {
	rows, err := s.q.SyncerErrorsOpen(ctx, connectionID)
	if err != nil {
		return nil, interpret(err, "listing open sync errors")
	}
	out := make([]SyncErrorRecord, len(rows))
	for i, r := range rows {
		out[i] = SyncErrorRecord{ID: r.ID, RunID: r.RunID, ProductExternalID: r.ProductExternalID, ProductName: r.ProductName,
			Code: r.Code, Message: r.Message, Detail: r.Detail, CreatedAt: r.CreatedAt, ResolvedAt: r.ResolvedAt}
	}
	return out, nil
}

// PGBytes is a bytea value in a JSON row: PostgreSQL's hex input format.
type PGBytes []byte

// MarshalJSON encodes b as "\x…".
func (b PGBytes) MarshalJSON() ([]byte, error) {
	out := make([]byte, 0, 4+2*len(b)+2)
	out = append(out, `"\\x`...)
	out = hex.AppendEncode(out, b)
	return append(out, '"'), nil
}

// SyncProductRow is a product as the syncer writes it. Its JSON encoding
// is canonical (fixed field order, UTC times): EncodeSyncRow hashes it.
type SyncProductRow struct {
	ExternalID        string          `json:"external_id"`
	Type              string          `json:"type"`
	ShopStatus        string          `json:"shop_status"`
	Name              string          `json:"name"`
	Slug              string          `json:"slug"`
	Permalink         string          `json:"permalink"`
	SKU               string          `json:"sku"`
	Description       string          `json:"description"`
	ShortDescription  string          `json:"short_description"`
	RegularPriceCents *int64          `json:"regular_price_cents"`
	SalePriceCents    *int64          `json:"sale_price_cents"`
	SaleFrom          *time.Time      `json:"sale_from"`
	SaleTo            *time.Time      `json:"sale_to"`
	ManageStock       bool            `json:"manage_stock"`
	StockQuantity     *int64          `json:"stock_quantity"`
	StockStatus       string          `json:"stock_status"`
	Backorders        string          `json:"backorders"`
	CategoryIDs       []string        `json:"category_ids"`
	BrandIDs          []string        `json:"brand_ids"`
	Attributes        json.RawMessage `json:"attributes"`
	Images            json.RawMessage `json:"images"`
	ShopModifiedAt    time.Time       `json:"shop_modified_at"`
	Deleted           bool            `json:"deleted"`
}

// SyncVariantRow is a variant as the syncer writes it (canonical JSON like
// SyncProductRow). ProductID is not part of the hash.
type SyncVariantRow struct {
	ExternalID        string          `json:"external_id"`
	ShopStatus        string          `json:"shop_status"`
	SKU               string          `json:"sku"`
	RegularPriceCents *int64          `json:"regular_price_cents"`
	SalePriceCents    *int64          `json:"sale_price_cents"`
	SaleFrom          *time.Time      `json:"sale_from"`
	SaleTo            *time.Time      `json:"sale_to"`
	ManageStock       bool            `json:"manage_stock"`
	StockQuantity     *int64          `json:"stock_quantity"`
	StockStatus       string          `json:"stock_status"`
	Backorders        string          `json:"backorders"`
	Options           json.RawMessage `json:"options"`
	Image             json.RawMessage `json:"image"`
	Position          int             `json:"position"`
	ShopModifiedAt    time.Time       `json:"shop_modified_at"`
}

// EncodedRow is a row's canonical JSON with its content hash appended as
// content_hash, ready for a set-based upsert; Extra fields (not hashed)
// can be added with With.
type EncodedRow struct {
	JSON []byte
	Hash []byte
}

// EncodeSyncRow encodes v canonically and hashes the encoding (SHA-256):
// the hash covers every stored field, so equal hashes mean nothing to
// write.
func EncodeSyncRow(v any) (EncodedRow, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return EncodedRow{}, err
	}
	sum := sha256.Sum256(b)
	return EncodedRow{JSON: withField(b, "content_hash", PGBytes(sum[:])), Hash: sum[:]}, nil
}

// With returns the row with one more (unhashed) field.
func (r EncodedRow) With(name string, value any) EncodedRow {
	return EncodedRow{JSON: withField(r.JSON, name, value), Hash: r.Hash}
}

// withField appends "name":value to a JSON object.
func withField(obj []byte, name string, value any) []byte {
	v, err := json.Marshal(value)
	if err != nil {
		panic(fmt.Sprintf("store: encoding %s: %v", name, err)) // only our own plain types come here
	}
	out := make([]byte, 0, len(obj)+len(name)+len(v)+4)
	out = append(out, obj[:len(obj)-1]...)
	if len(obj) > 2 {
		out = append(out, ',')
	}
	out = append(out, '"')
	out = append(out, name...)
	out = append(out, '"', ':')
	out = append(out, v...)
	return append(out, '}')
}

func jsonArray(rows []EncodedRow) []byte {
	n := 2
	for _, r := range rows {
		n += len(r.JSON) + 1
	}
	var b bytes.Buffer
	b.Grow(n)
	b.WriteByte('[')
	for i, r := range rows {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(r.JSON)
	}
	b.WriteByte(']')
	return b.Bytes()
}

// StoredItem is what the syncer compares an incoming product or variant
// with.
type StoredItem struct {
	ID             int64
	ProductID      int64 // variants: the parent
	ExternalID     string
	Type           string // products
	Hash           []byte
	ShopModifiedAt time.Time
	DeletedAt      *time.Time
	PriceCents     *int64
}

// SyncerProductsExisting returns the stored state of those of the
// connection's products that exist.
func (s *Store) SyncerProductsExisting(ctx context.Context, connectionID int64, externalIDs []string) ([]StoredItem, error) {
	rows, err := s.q.SyncerProductsExisting(ctx, dbsqlc.SyncerProductsExistingParams{ConnectionID: connectionID, ExternalIds: externalIDs})
	if err != nil {
		return nil, interpret(err, "reading stored products")
	}
	out := make([]StoredItem, len(rows))
	for i, r := range rows {
		out[i] = StoredItem{ID: r.ID, ExternalID: r.ExternalID, Type: r.Type, Hash: r.ContentHash, ShopModifiedAt: r.ShopModifiedAt,
			DeletedAt: r.DeletedAt, PriceCents: r.PriceCents}
	}
	return out, nil
}

// WrittenItem is a row an upsert wrote.
type WrittenItem struct {
	ID         int64
	ProductID  int64 // variants: the parent
	ExternalID string
	Type       string // products
	Inserted   bool
}

// SyncerProductsUpsert writes products (rows from EncodeSyncRow of a
// SyncProductRow with price_cents added) in one statement; rows that are
// older than or equal to the stored ones are not written. New products get
// their pending curation row in the same statement. It returns the rows
// written.
func (s *Store) SyncerProductsUpsert(ctx context.Context, connectionID, supplierID int64, environment string, rows []EncodedRow) ([]WrittenItem, error) {
	if len(rows) == 0 {
		return nil, nil
	}
	res, err := s.q.SyncerProductsUpsert(ctx, dbsqlc.SyncerProductsUpsertParams{
		ConnectionID: connectionID, SupplierID: supplierID, Environment: environment, Rows: jsonArray(rows),
	})
	if err != nil {
		return nil, interpret(err, "writing products")
	}
	out := make([]WrittenItem, len(res))
	for i, r := range res {
		out[i] = WrittenItem{ID: r.ID, ExternalID: r.ExternalID, Type: r.Type, Inserted: r.Inserted}
	}
	return out, nil
}

// SyncerProductsLock locks products (in id order) for the rest of the
// transaction; write a product before its variants.
func (s *Store) SyncerProductsLock(ctx context.Context, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	_, err := s.q.SyncerProductsLock(ctx, ids)
	return interpret(err, "locking products")
}

// SyncerProductsDerive sets the price and stock status of variable products
// from their variants and returns the ids it changed.
func (s *Store) SyncerProductsDerive(ctx context.Context, ids []int64) ([]int64, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	changed, err := s.q.SyncerProductsDerive(ctx, ids)
	return changed, interpret(err, "deriving variable product prices")
}

// SyncerProductMarkDeleted marks a product deleted; it returns its id, or
// ok false when it is unknown or already deleted.
func (s *Store) SyncerProductMarkDeleted(ctx context.Context, connectionID int64, externalID string) (int64, bool, error) {
	ids, err := s.q.SyncerProductMarkDeleted(ctx, dbsqlc.SyncerProductMarkDeletedParams{ConnectionID: connectionID, ExternalID: externalID})
	if err != nil || len(ids) == 0 {
		return 0, false, interpret(err, "marking product deleted")
	}
	return ids[0], true, nil
}

// SyncerProductVariantCount counts a product's variants, deleted or not.
func (s *Store) SyncerProductVariantCount(ctx context.Context, productID int64) (int, error) {
	n, err := s.q.SyncerProductVariantCount(ctx, productID)
	return int(n), interpret(err, "counting variants")
}

// SyncerLiveProductCount counts a connection's products that are not
// deleted.
func (s *Store) SyncerLiveProductCount(ctx context.Context, connectionID int64) (int, error) {
	n, err := s.q.SyncerLiveProductCount(ctx, connectionID)
	return int(n), interpret(err, "counting live products")
}

// SyncerVariantsExisting returns the stored state of the variants named by
// pairs: productIDs[i] is the parent of externalIDs[i].
func (s *Store) SyncerVariantsExisting(ctx context.Context, productIDs []int64, externalIDs []string) ([]StoredItem, error) {
	if len(productIDs) != len(externalIDs) {
		return nil, fmt.Errorf("store: %d parents for %d variants", len(productIDs), len(externalIDs))
	}
	rows, err := s.q.SyncerVariantsExisting(ctx, dbsqlc.SyncerVariantsExistingParams{ProductIds: productIDs, ExternalIds: externalIDs})
	if err != nil {
		return nil, interpret(err, "reading stored variants")
	}
	out := make([]StoredItem, len(rows))
	for i, r := range rows {
		out[i] = StoredItem{ID: r.ID, ProductID: r.ProductID, ExternalID: r.ExternalID, Hash: r.ContentHash,
			ShopModifiedAt: r.ShopModifiedAt, DeletedAt: r.DeletedAt, PriceCents: r.PriceCents}
	}
	return out, nil
}

// SyncerVariantsUpsert writes variants (rows from EncodeSyncRow of a
// SyncVariantRow with product_id and price_cents added) in one statement,
// like SyncerProductsUpsert.
func (s *Store) SyncerVariantsUpsert(ctx context.Context, rows []EncodedRow) ([]WrittenItem, error) {
	if len(rows) == 0 {
		return nil, nil
	}
	res, err := s.q.SyncerVariantsUpsert(ctx, jsonArray(rows))
	if err != nil {
		return nil, interpret(err, "writing variants")
	}
	out := make([]WrittenItem, len(res))
	for i, r := range res {
		out[i] = WrittenItem{ID: r.ID, ProductID: r.ProductID, ExternalID: r.ExternalID, Inserted: r.Inserted}
	}
	return out, nil
}

// SyncTaxonomyRow is a category or brand as stored.
type SyncTaxonomyRow struct {
	ExternalID       string `json:"external_id"`
	ParentExternalID string `json:"parent_external_id"`
	Name             string `json:"name"`
	Slug             string `json:"slug"`
}

// SyncAttributeRow is a global attribute as stored; Terms is its JSON
// array of terms.
type SyncAttributeRow struct {
	ExternalID string          `json:"external_id"`
	Name       string          `json:"name"`
	Slug       string          `json:"slug"`
	Terms      json.RawMessage `json:"terms"`
}

// Taxonomy tables.
const (
	TaxonomyCategories = "categories"
	TaxonomyBrands     = "brands"
	TaxonomyAttributes = "attributes"
)

// SyncerTaxonomySave writes a complete listing of one taxonomy (rows from
// EncodeSyncRow): new and changed entries are written, vanished ones
// marked deleted. It returns how many rows it wrote.
func (s *Store) SyncerTaxonomySave(ctx context.Context, connectionID int64, taxonomy string, rows []EncodedRow, externalIDs []string) (int64, error) {
	data := jsonArray(rows)
	if externalIDs == nil {
		externalIDs = []string{}
	}
	var upserted, deleted int64
	var err error
	switch taxonomy {
	case TaxonomyCategories:
		if upserted, err = s.q.SyncerCategoriesUpsert(ctx, dbsqlc.SyncerCategoriesUpsertParams{ConnectionID: connectionID, Rows: data}); err == nil {
			deleted, err = s.q.SyncerCategoriesDeleteMissing(ctx, dbsqlc.SyncerCategoriesDeleteMissingParams{ConnectionID: connectionID, ExternalIds: externalIDs})
		}
	case TaxonomyBrands:
		if upserted, err = s.q.SyncerBrandsUpsert(ctx, dbsqlc.SyncerBrandsUpsertParams{ConnectionID: connectionID, Rows: data}); err == nil {
			deleted, err = s.q.SyncerBrandsDeleteMissing(ctx, dbsqlc.SyncerBrandsDeleteMissingParams{ConnectionID: connectionID, ExternalIds: externalIDs})
		}
	case TaxonomyAttributes:
		if upserted, err = s.q.SyncerAttributesUpsert(ctx, dbsqlc.SyncerAttributesUpsertParams{ConnectionID: connectionID, Rows: data}); err == nil {
			deleted, err = s.q.SyncerAttributesDeleteMissing(ctx, dbsqlc.SyncerAttributesDeleteMissingParams{ConnectionID: connectionID, ExternalIds: externalIDs})
		}
	default:
		return 0, fmt.Errorf("store: unknown taxonomy %q", taxonomy)
	}
	return upserted + deleted, interpret(err, "saving "+taxonomy)
}

// WebhookDelivery is a stored webhook delivery.
type WebhookDelivery struct {
	ID           int64
	ConnectionID int64
	Topic        string
	ResourceID   string
	Body         []byte
	ReceivedAt   time.Time
	ProcessedAt  *time.Time
	Result       string
}

// SyncerDeliveryAdd stores a verified delivery; a payload already stored
// for the connection and topic returns ok false. A delivery with a result
// is stored as processed.
func (s *Store) SyncerDeliveryAdd(ctx context.Context, connectionID int64, topic, resourceID string, body []byte, result string) (int64, bool, error) {
	sum := sha256.Sum256(body)
	var processed *time.Time
	if result != "" {
		now := time.Now()
		processed = &now
	}
	id, err := s.q.SyncerDeliveryAdd(ctx, dbsqlc.SyncerDeliveryAddParams{
		ConnectionID: connectionID, Topic: topic, ResourceID: resourceID, BodySha256: sum[:], Body: body,
		ProcessedAt: processed, Result: result,
	})
	if err != nil {
		if err = interpret(err, "storing webhook delivery"); errors.Is(err, ErrNotFound) {
			return 0, false, nil
		}
		return 0, false, err
	}
	return id, true, nil
}

// SyncerDelivery returns a delivery.
func (s *Store) SyncerDelivery(ctx context.Context, id int64) (WebhookDelivery, error) {
	r, err := s.q.SyncerDeliveryGet(ctx, id)
	if err != nil {
		return WebhookDelivery{}, interpret(err, "getting webhook delivery")
	}
	return WebhookDelivery(r), nil
}

// SyncerDeliveryDone records how a delivery was processed.
func (s *Store) SyncerDeliveryDone(ctx context.Context, id int64, result string) error {
	return interpret(s.q.SyncerDeliveryDone(ctx, dbsqlc.SyncerDeliveryDoneParams{ID: id, Result: result}), "recording delivery result")
}

// SyncerDeliveries lists a connection's deliveries (without bodies).
func (s *Store) SyncerDeliveries(ctx context.Context, connectionID int64) ([]WebhookDelivery, error) {
	rows, err := s.q.SyncerDeliveriesByConnection(ctx, connectionID)
	if err != nil {
		return nil, interpret(err, "listing webhook deliveries")
	}
	out := make([]WebhookDelivery, len(rows))
	for i, r := range rows {
		out[i] = WebhookDelivery{ID: r.ID, ConnectionID: r.ConnectionID, Topic: r.Topic, ResourceID: r.ResourceID,
			ReceivedAt: r.ReceivedAt, ProcessedAt: r.ProcessedAt, Result: r.Result}
	}
	return out, nil
}

// SyncerDeliveriesCleanup drops bodies a day after processing and rows
// after a month; it returns the number of rows deleted.
func (s *Store) SyncerDeliveriesCleanup(ctx context.Context) (int64, error) {
	n, err := s.q.SyncerDeliveriesCleanup(ctx)
	return n, interpret(err, "cleaning up webhook deliveries")
}

func i32(n int) int32 {
	if n > 1<<31-1 {
		return 1<<31 - 1
	}
	return int32(n)
}
