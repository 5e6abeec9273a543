package syncer

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/wujw/ohis/internal/catalog"
	"github.com/wujw/ohis/internal/connector"
	"github.com/wujw/ohis/internal/store"
)

// outcome is what happened to one incoming item.
type outcome int

const (
	outcomeUnchanged outcome = iota + 1 // same content as stored: no write
	outcomeStale                        // older than stored: no write
	outcomeCreated
	outcomeUpdated
	outcomeFailed
	outcomeSkipped
)

// applier writes products, variants and taxonomies of one connection into
// one transaction. A sync run uses one for its whole listing; a webhook
// delivery one for its single item.
type applier struct {
	tx    *store.Store
	conn  store.SyncState
	runID *int64
	now   time.Time

	counts Counts
	// created are the products inserted by this transaction: they are
	// new (curation creates their row), not changed.
	created map[int64]bool
	// changed are existing products whose content or variants changed or
	// that were deleted or restored: Hook.ProductsChanged gets them.
	changed map[int64]bool
	// parents are variable products whose price and stock must be derived
	// again from their variants.
	parents map[int64]bool
	// orphans are variants whose parent was not stored yet when their
	// page came; retried once at the end of the listing.
	orphans []connector.VariantItem
	// noOpenErrors: the connection had no open per-item errors when the
	// run began, so items that sync fine have nothing to resolve (errors
	// the run itself records belong to items that did not sync fine).
	noOpenErrors bool
}

// resolveItems resolves the open errors of items that synced fine.
func (a *applier) resolveItems(ctx context.Context, externalIDs []string) error {
	if a.noOpenErrors {
		return nil
	}
	return a.tx.SyncerErrorsResolveItems(ctx, a.conn.ID, externalIDs)
}

func newApplier(tx *store.Store, conn store.SyncState, runID *int64, now time.Time) *applier {
	return &applier{tx: tx, conn: conn, runID: runID, now: now,
		created: map[int64]bool{}, changed: map[int64]bool{}, parents: map[int64]bool{}}
}

// itemResult is the outcome for one product or variant, by external id.
type itemResult struct {
	outcome    outcome
	id         int64 // product id (products) or parent id (variants), when stored
	variable   bool
	externalID string
}

// maxStock bounds stock quantities (the column is an integer).
const maxStock = math.MaxInt32

// maxCents bounds prices: a million euro is not an energy-saving product.
const maxCents = 100_000_000

func cleanText(s string) string {
	if strings.IndexByte(s, 0) >= 0 {
		s = strings.ReplaceAll(s, "\x00", "")
	}
	return s
}

func utc(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := utc(*t)
	return &u
}

func sortedIDs(ids []string) []string {
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if id = cleanText(id); id != "" {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// itemProblem checks what the database would refuse or what makes no
// sense, beyond what the connector checked: it returns a Dutch reason.
func priceProblem(p catalog.Price) string {
	for _, c := range []*int64{p.RegularCents, p.SaleCents} {
		if c != nil && (*c < 0 || *c > maxCents) {
			return fmt.Sprintf("de prijs %d cent is negatief of onwaarschijnlijk hoog", *c)
		}
	}
	return ""
}

func stockProblem(st catalog.Stock) string {
	if st.Quantity != nil && (*st.Quantity < -maxStock || *st.Quantity > maxStock) {
		return fmt.Sprintf("de voorraad %d is onwaarschijnlijk groot", *st.Quantity)
	}
	switch st.Status {
	case "", catalog.InStock, catalog.OutOfStock, catalog.OnBackorder:
	default:
		return fmt.Sprintf("de voorraadstatus %q is onbekend", st.Status)
	}
	switch st.Backorders {
	case "", catalog.BackordersNo, catalog.BackordersNotify, catalog.BackordersYes:
	default:
		return fmt.Sprintf("de nabestelinstelling %q is onbekend", st.Backorders)
	}
	return ""
}

func stockStatus(s catalog.StockStatus) string {
	if s == "" {
		return string(catalog.InStock)
	}
	return string(s)
}

func backorders(b catalog.Backorders) string {
	if b == "" {
		return string(catalog.BackordersNo)
	}
	return string(b)
}

// productRow normalises a product into the row stored for it.
func productRow(p catalog.Product) (store.SyncProductRow, error) {
	attrs := make([]catalog.ProductAttribute, len(p.Attributes))
	for i, a := range p.Attributes {
		opts := make([]string, len(a.Options))
		for j, o := range a.Options {
			opts[j] = cleanText(o)
		}
		attrs[i] = catalog.ProductAttribute{ExternalID: cleanText(a.ExternalID), Name: cleanText(a.Name), Options: opts, Visible: a.Visible, Variation: a.Variation}
	}
	images := make([]catalog.Image, len(p.Images))
	for i, im := range p.Images {
		images[i] = catalog.Image{ExternalID: cleanText(im.ExternalID), Src: cleanText(im.Src), Alt: cleanText(im.Alt), Position: im.Position}
	}
	aj, err := json.Marshal(attrs)
	if err != nil {
		return store.SyncProductRow{}, err
	}
	ij, err := json.Marshal(images)
	if err != nil {
		return store.SyncProductRow{}, err
	}
	return store.SyncProductRow{
		ExternalID: cleanText(p.ExternalID), Type: string(p.Type), ShopStatus: cleanText(p.ShopStatus), Name: cleanText(p.Name),
		Slug: cleanText(p.Slug), Permalink: cleanText(p.Permalink), SKU: cleanText(p.SKU), Description: cleanText(p.Description),
		ShortDescription: cleanText(p.ShortDescription), RegularPriceCents: p.Price.RegularCents, SalePriceCents: p.Price.SaleCents,
		SaleFrom: utcPtr(p.Price.SaleFrom), SaleTo: utcPtr(p.Price.SaleTo), ManageStock: p.Stock.Managed, StockQuantity: p.Stock.Quantity,
		StockStatus: stockStatus(p.Stock.Status), Backorders: backorders(p.Stock.Backorders),
		CategoryIDs: sortedIDs(p.CategoryIDs), BrandIDs: sortedIDs(p.BrandIDs), Attributes: aj, Images: ij,
		ShopModifiedAt: utc(p.ModifiedAt), Deleted: p.ShopStatus == "trash",
	}, nil
}

// variantRow normalises a variant into the row stored for it.
func variantRow(v catalog.Variant) (store.SyncVariantRow, error) {
	opts := make([]catalog.VariantOption, len(v.Options))
	for i, o := range v.Options {
		opts[i] = catalog.VariantOption{ExternalID: cleanText(o.ExternalID), Name: cleanText(o.Name), Option: cleanText(o.Option)}
	}
	oj, err := json.Marshal(opts)
	if err != nil {
		return store.SyncVariantRow{}, err
	}
	image := json.RawMessage("null")
	if v.Image != nil {
		if image, err = json.Marshal(catalog.Image{ExternalID: cleanText(v.Image.ExternalID), Src: cleanText(v.Image.Src), Alt: cleanText(v.Image.Alt)}); err != nil {
			return store.SyncVariantRow{}, err
		}
	}
	status := cleanText(v.ShopStatus)
	if status == "" {
		status = catalog.ShopStatusPublished
	}
	return store.SyncVariantRow{
		ExternalID: cleanText(v.ExternalID), ShopStatus: status, SKU: cleanText(v.SKU),
		RegularPriceCents: v.Price.RegularCents, SalePriceCents: v.Price.SaleCents, SaleFrom: utcPtr(v.Price.SaleFrom), SaleTo: utcPtr(v.Price.SaleTo),
		ManageStock: v.Stock.Managed, StockQuantity: v.Stock.Quantity, StockStatus: stockStatus(v.Stock.Status), Backorders: backorders(v.Stock.Backorders),
		Options: oj, Image: image, Position: v.Position, ShopModifiedAt: utc(v.ModifiedAt),
	}, nil
}

// needsWrite compares an incoming row with the stored one.
func needsWrite(st store.StoredItem, hash []byte, modified time.Time, deleted bool, price *int64, checkPrice bool) outcome {
	if modified.Before(st.ShopModifiedAt) {
		return outcomeStale
	}
	if !bytes.Equal(st.Hash, hash) || (st.DeletedAt != nil) != deleted {
		return outcomeUpdated
	}
	if checkPrice && !equalPtr(st.PriceCents, price) {
		return outcomeUpdated
	}
	return outcomeUnchanged
}

func equalPtr(a, b *int64) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

func itemError(e *connector.ItemError, fallbackID string) store.SyncErrorInput {
	id := e.ExternalID
	if id == "" {
		id = fallbackID
	}
	if id == "" {
		// An item without a usable id is still about one item, not the
		// connection: it gets a stable key of its own ("?" and a hash of
		// what was wrong), so it is one open error however often it is
		// listed; a complete listing without it resolves it.
		sum := sha256.Sum256([]byte(e.Code + "\x00" + e.Detail + "\x00" + e.Message))
		id = "?" + hex.EncodeToString(sum[:5])
	}
	msg := e.Message
	if msg == "" {
		msg = "Dit product kon niet worden verwerkt. Controleer het in de webshop."
	}
	return store.SyncErrorInput{ProductExternalID: cleanText(id), ProductName: cleanText(e.Name), Code: cleanText(e.Code),
		Message: cleanText(msg), Detail: cleanText(e.Detail)}
}

// invalid is a per-item error found by the syncer itself.
func invalid(externalID, name, code, what string) *connector.ItemError {
	label := "Product " + externalID
	if name != "" {
		label = fmt.Sprintf("%s (%s)", name, externalID)
	}
	return &connector.ItemError{ExternalID: externalID, Name: name, Code: code,
		Message: fmt.Sprintf("%s: %s. Pas dit aan in de webshop; de volgende synchronisatie neemt het dan mee.", label, what),
		Detail:  what}
}

// products writes one page of products and returns each item's outcome
// in input order.
func (a *applier) products(ctx context.Context, items []connector.ProductItem) ([]itemResult, error) {
	results := make([]itemResult, len(items))
	var errs []store.SyncErrorInput
	var okIDs []string

	type candidate struct {
		idx     int
		row     store.EncodedRow
		ext     string
		mod     time.Time
		deleted bool
		price   *int64
		typ     catalog.ProductType
	}
	byExt := map[string]int{} // external id → index in cands
	var cands []candidate
	for i, it := range items {
		p := it.Product
		results[i].externalID = p.ExternalID
		switch {
		case it.Err != nil:
			results[i] = itemResult{outcome: outcomeFailed, externalID: it.Err.ExternalID}
			errs = append(errs, itemError(it.Err, p.ExternalID))
			continue
		case it.Skipped != "":
			results[i].outcome = outcomeSkipped
			errs = append(errs, store.SyncErrorInput{ProductExternalID: cleanText(p.ExternalID), ProductName: cleanText(p.Name),
				Code: CodeSkippedType, Message: cleanText(it.Skipped), Detail: "type=" + string(p.Type)})
			continue
		}
		var bad *connector.ItemError
		switch {
		case p.ExternalID == "":
			bad = invalid(p.ExternalID, p.Name, connector.ItemMalformed, "het product heeft geen id")
		case p.Type != catalog.Simple && p.Type != catalog.Variable:
			bad = invalid(p.ExternalID, p.Name, connector.ItemUnsupported, fmt.Sprintf("het producttype %q wordt niet ondersteund", p.Type))
		case priceProblem(p.Price) != "":
			bad = invalid(p.ExternalID, p.Name, connector.ItemBadPrice, priceProblem(p.Price))
		case stockProblem(p.Stock) != "":
			bad = invalid(p.ExternalID, p.Name, connector.ItemBadStock, stockProblem(p.Stock))
		}
		if bad != nil {
			results[i] = itemResult{outcome: outcomeFailed, externalID: p.ExternalID}
			errs = append(errs, itemError(bad, p.ExternalID))
			continue
		}
		row, err := productRow(p)
		if err != nil {
			return nil, fmt.Errorf("normalising product %s: %w", p.ExternalID, err)
		}
		enc, err := store.EncodeSyncRow(row)
		if err != nil {
			return nil, fmt.Errorf("encoding product %s: %w", p.ExternalID, err)
		}
		var price *int64
		if p.Type == catalog.Simple {
			price = p.Price.Current(a.now)
		}
		c := candidate{idx: i, row: enc.With("price_cents", price), ext: row.ExternalID, mod: row.ShopModifiedAt, deleted: row.Deleted, price: price, typ: p.Type}
		okIDs = append(okIDs, row.ExternalID)
		if j, dup := byExt[c.ext]; dup {
			// Listed twice (the shop's paging shifted): keep the newer.
			if !c.mod.Before(cands[j].mod) {
				results[cands[j].idx].outcome = outcomeUnchanged
				cands[j] = c
			} else {
				results[i].outcome = outcomeUnchanged
			}
			continue
		}
		byExt[c.ext] = len(cands)
		cands = append(cands, c)
	}

	if len(cands) > 0 {
		ids := make([]string, len(cands))
		for i, c := range cands {
			ids[i] = c.ext
		}
		stored, err := a.tx.SyncerProductsExisting(ctx, a.conn.ID, ids)
		if err != nil {
			return nil, err
		}
		have := make(map[string]store.StoredItem, len(stored))
		for _, st := range stored {
			have[st.ExternalID] = st
		}
		var writes []store.EncodedRow
		var writeIdx []int
		for i, c := range cands {
			st, found := have[c.ext]
			o := outcomeCreated
			if found {
				o = needsWrite(st, c.row.Hash, c.mod, c.deleted, c.price, c.typ == catalog.Simple || st.Type != string(catalog.Variable))
				results[c.idx].id = st.ID
			}
			results[c.idx].outcome = o
			results[c.idx].variable = c.typ == catalog.Variable
			if o == outcomeCreated || o == outcomeUpdated {
				writes = append(writes, c.row)
				writeIdx = append(writeIdx, i)
			}
		}
		written, err := a.tx.SyncerProductsUpsert(ctx, a.conn.ID, a.conn.SupplierID, a.conn.Environment, writes)
		if err != nil {
			return nil, err
		}
		done := make(map[string]store.WrittenItem, len(written))
		for _, w := range written {
			done[w.ExternalID] = w
		}
		for _, i := range writeIdx {
			c := cands[i]
			r := &results[c.idx]
			w, ok := done[c.ext]
			if !ok {
				// A newer version was committed meanwhile (a webhook):
				// the database kept it.
				r.outcome = outcomeStale
				continue
			}
			r.id = w.ID
			if w.Inserted {
				r.outcome = outcomeCreated
				a.created[w.ID] = true
			} else {
				r.outcome = outcomeUpdated
				if !a.created[w.ID] {
					a.changed[w.ID] = true
				}
			}
			if w.Type == string(catalog.Variable) {
				a.parents[w.ID] = true
			}
		}
	}
	if err := a.resolveItems(ctx, okIDs); err != nil {
		return nil, err
	}
	if err := a.tx.SyncerErrorsSave(ctx, a.conn.ID, a.runID, errs); err != nil {
		return nil, err
	}
	a.count(results)
	return results, nil
}

func (a *applier) count(results []itemResult) {
	for _, r := range results {
		switch r.outcome {
		case outcomeCreated:
			a.counts.Created++
		case outcomeUpdated:
			a.counts.Updated++
		case outcomeUnchanged, outcomeStale:
			a.counts.Unchanged++
		case outcomeFailed:
			a.counts.Failed++
		case outcomeSkipped:
			a.counts.Skipped++
		}
	}
}

// variants writes one page of variants. Variants whose parent is not
// stored are kept as orphans when holdOrphans, else they fail as
// ItemOrphan. It returns each item's outcome in input order (orphans held
// have outcome 0).
func (a *applier) variants(ctx context.Context, items []connector.VariantItem, holdOrphans bool) ([]itemResult, error) {
	results := make([]itemResult, len(items))
	var errs []store.SyncErrorInput
	var okIDs []string

	parentExt := map[string]bool{}
	for _, it := range items {
		if it.Err == nil && it.Variant.ParentExternalID != "" {
			parentExt[it.Variant.ParentExternalID] = true
		}
	}
	parents := map[string]store.StoredItem{}
	if len(parentExt) > 0 {
		ids := make([]string, 0, len(parentExt))
		for id := range parentExt {
			ids = append(ids, id)
		}
		stored, err := a.tx.SyncerProductsExisting(ctx, a.conn.ID, ids)
		if err != nil {
			return nil, err
		}
		for _, st := range stored {
			parents[st.ExternalID] = st
		}
	}

	type candidate struct {
		idx    int
		row    store.EncodedRow
		parent int64
		ext    string
		mod    time.Time
		price  *int64
	}
	type key struct {
		parent int64
		ext    string
	}
	byKey := map[key]int{}
	var cands []candidate
	for i, it := range items {
		v := it.Variant
		results[i].externalID = v.ExternalID
		if it.Err != nil {
			results[i] = itemResult{outcome: outcomeFailed, externalID: it.Err.ExternalID}
			errs = append(errs, itemError(it.Err, v.ExternalID))
			continue
		}
		var bad *connector.ItemError
		switch {
		case v.ExternalID == "" || v.ParentExternalID == "":
			bad = invalid(v.ExternalID, "", connector.ItemMalformed, "de variatie heeft geen id of noemt haar hoofdproduct niet")
		case priceProblem(v.Price) != "":
			bad = invalid(v.ExternalID, "", connector.ItemBadPrice, priceProblem(v.Price))
		case stockProblem(v.Stock) != "":
			bad = invalid(v.ExternalID, "", connector.ItemBadStock, stockProblem(v.Stock))
		}
		if bad != nil {
			results[i] = itemResult{outcome: outcomeFailed, externalID: v.ExternalID}
			errs = append(errs, itemError(bad, v.ExternalID))
			continue
		}
		parent, ok := parents[v.ParentExternalID]
		if !ok {
			if holdOrphans {
				a.orphans = append(a.orphans, it)
				results[i].outcome = 0
				continue
			}
			results[i] = itemResult{outcome: outcomeFailed, externalID: v.ExternalID}
			errs = append(errs, itemError(&connector.ItemError{
				ExternalID: v.ExternalID, Code: connector.ItemOrphan,
				Message: fmt.Sprintf("Variatie %s hoort bij product %s, maar dat product staat niet (meer) in de webshop of kon niet worden verwerkt. Controleer het hoofdproduct.", v.ExternalID, v.ParentExternalID),
				Detail:  "parent " + v.ParentExternalID + " not stored",
			}, v.ExternalID))
			continue
		}
		results[i].id = parent.ID
		row, err := variantRow(v)
		if err != nil {
			return nil, fmt.Errorf("normalising variant %s: %w", v.ExternalID, err)
		}
		enc, err := store.EncodeSyncRow(row)
		if err != nil {
			return nil, fmt.Errorf("encoding variant %s: %w", v.ExternalID, err)
		}
		price := v.Price.Current(a.now)
		c := candidate{idx: i, row: enc.With("price_cents", price).With("product_id", parent.ID), parent: parent.ID, ext: row.ExternalID, mod: row.ShopModifiedAt, price: price}
		okIDs = append(okIDs, row.ExternalID)
		k := key{parent.ID, c.ext}
		if j, dup := byKey[k]; dup {
			if !c.mod.Before(cands[j].mod) {
				results[cands[j].idx].outcome = outcomeUnchanged
				cands[j] = c
			} else {
				results[i].outcome = outcomeUnchanged
			}
			continue
		}
		byKey[k] = len(cands)
		cands = append(cands, c)
	}

	if len(cands) > 0 {
		pids := make([]int64, len(cands))
		exts := make([]string, len(cands))
		for i, c := range cands {
			pids[i], exts[i] = c.parent, c.ext
		}
		stored, err := a.tx.SyncerVariantsExisting(ctx, pids, exts)
		if err != nil {
			return nil, err
		}
		have := make(map[key]store.StoredItem, len(stored))
		for _, st := range stored {
			have[key{st.ProductID, st.ExternalID}] = st
		}
		var writes []store.EncodedRow
		var writeIdx []int
		lock := map[int64]bool{}
		for i, c := range cands {
			o := outcomeCreated
			if st, found := have[key{c.parent, c.ext}]; found {
				o = needsWrite(st, c.row.Hash, c.mod, false, c.price, true)
			}
			results[c.idx].outcome = o
			if o == outcomeCreated || o == outcomeUpdated {
				writes = append(writes, c.row)
				writeIdx = append(writeIdx, i)
				lock[c.parent] = true
			}
		}
		if len(writes) > 0 {
			// Parents before variants: see SyncerProductsLock.
			ids := make([]int64, 0, len(lock))
			for id := range lock {
				ids = append(ids, id)
			}
			slices.Sort(ids)
			if err := a.tx.SyncerProductsLock(ctx, ids); err != nil {
				return nil, err
			}
		}
		written, err := a.tx.SyncerVariantsUpsert(ctx, writes)
		if err != nil {
			return nil, err
		}
		done := make(map[key]store.WrittenItem, len(written))
		for _, w := range written {
			done[key{w.ProductID, w.ExternalID}] = w
		}
		for _, i := range writeIdx {
			c := cands[i]
			r := &results[c.idx]
			w, ok := done[key{c.parent, c.ext}]
			if !ok {
				r.outcome = outcomeStale
				continue
			}
			if w.Inserted {
				r.outcome = outcomeCreated
			} else {
				r.outcome = outcomeUpdated
			}
			a.parents[c.parent] = true
			if !a.created[c.parent] {
				a.changed[c.parent] = true
			}
		}
	}
	if err := a.resolveItems(ctx, okIDs); err != nil {
		return nil, err
	}
	if err := a.tx.SyncerErrorsSave(ctx, a.conn.ID, a.runID, errs); err != nil {
		return nil, err
	}
	a.count(results)
	return results, nil
}

// retryOrphans writes the variants whose parents were missing when their
// page came; those still without parent fail.
func (a *applier) retryOrphans(ctx context.Context) error {
	for len(a.orphans) > 0 {
		n := min(len(a.orphans), 500)
		batch := a.orphans[:n]
		a.orphans = a.orphans[n:]
		if _, err := a.variants(ctx, batch, false); err != nil {
			return err
		}
	}
	a.orphans = nil
	return nil
}

// derive sets price and stock of the variable products whose variants
// changed; existing products whose derived values changed count as
// changed.
func (a *applier) derive(ctx context.Context) error {
	if len(a.parents) == 0 {
		return nil
	}
	ids := make([]int64, 0, len(a.parents))
	for id := range a.parents {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for len(ids) > 0 {
		n := min(len(ids), 5000)
		changed, err := a.tx.SyncerProductsDerive(ctx, ids[:n])
		if err != nil {
			return err
		}
		for _, id := range changed {
			if !a.created[id] {
				a.changed[id] = true
			}
		}
		ids = ids[n:]
	}
	a.parents = map[int64]bool{}
	return nil
}

// changedIDs lists the existing products that changed, sorted.
func (a *applier) changedIDs() []int64 {
	ids := make([]int64, 0, len(a.changed))
	for id := range a.changed {
		if !a.created[id] {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids
}

// taxonomies writes a complete taxonomy listing; entries the shop no
// longer has are marked deleted. Brands are left alone when the shop has
// no brands taxonomy (a plugin switched off must not wipe them on a
// hiccup; their products simply stop naming them).
func (a *applier) taxonomies(ctx context.Context, t catalog.Taxonomies) (int64, error) {
	var written int64
	save := func(name string, rows []store.EncodedRow, ids []string) error {
		n, err := a.tx.SyncerTaxonomySave(ctx, a.conn.ID, name, rows, ids)
		written += n
		return err
	}
	tree := func(list []catalog.Category) ([]store.EncodedRow, []string, error) {
		rows := make([]store.EncodedRow, 0, len(list))
		ids := make([]string, 0, len(list))
		seen := map[string]bool{}
		for _, c := range list {
			id := cleanText(c.ExternalID)
			if id == "" || seen[id] {
				continue
			}
			seen[id] = true
			enc, err := store.EncodeSyncRow(store.SyncTaxonomyRow{ExternalID: id, ParentExternalID: cleanText(c.ParentExternalID),
				Name: cleanText(c.Name), Slug: cleanText(c.Slug)})
			if err != nil {
				return nil, nil, err
			}
			rows = append(rows, enc)
			ids = append(ids, id)
		}
		return rows, ids, nil
	}
	rows, ids, err := tree(t.Categories)
	if err != nil {
		return written, err
	}
	if err := save(store.TaxonomyCategories, rows, ids); err != nil {
		return written, err
	}
	if t.BrandsSupported {
		if rows, ids, err = tree(t.Brands); err != nil {
			return written, err
		}
		if err := save(store.TaxonomyBrands, rows, ids); err != nil {
			return written, err
		}
	}
	rows, ids = rows[:0:0], ids[:0:0]
	seen := map[string]bool{}
	for _, at := range t.Attributes {
		id := cleanText(at.ExternalID)
		if id == "" || seen[id] {
			continue
		}
		seen[id] = true
		terms := make([]catalog.Term, len(at.Terms))
		for i, tm := range at.Terms {
			terms[i] = catalog.Term{ExternalID: cleanText(tm.ExternalID), Name: cleanText(tm.Name), Slug: cleanText(tm.Slug)}
		}
		tj, err := json.Marshal(terms)
		if err != nil {
			return written, err
		}
		enc, err := store.EncodeSyncRow(store.SyncAttributeRow{ExternalID: id, Name: cleanText(at.Name), Slug: cleanText(at.Slug), Terms: tj})
		if err != nil {
			return written, err
		}
		rows = append(rows, enc)
		ids = append(ids, id)
	}
	return written, save(store.TaxonomyAttributes, rows, ids)
}
