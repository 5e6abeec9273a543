// Package curationtest writes small synced catalogues straight into the
// database for curation tests: a connection, supplier categories and
// brands, products with variants and their pending curation rows, as the
// syncer leaves them. It is for tests only.
package curationtest

import (
	"context"
	"encoding/json"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// DB is what a pool offers.
type DB interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

var seq atomic.Int64

// Connection adds a webshop connection of the supplier in env
// ("production" when empty) and returns its id.
func Connection(t testing.TB, db DB, supplierID int64, env string) int64 {
	t.Helper()
	if env == "" {
		env = "production"
	}
	var id int64
	err := db.QueryRow(context.Background(), `INSERT INTO connections (supplier_id, environment, platform, base_url, credentials, key_id, webhook_secret, paused)
		VALUES ($1, $2, 'woocommerce', $3, '\x00', 'test', '\x00', true) RETURNING id`,
		supplierID, env, fmt.Sprintf("https://shop-%d.example", seq.Add(1))).Scan(&id)
	if err != nil {
		t.Fatalf("curationtest: connection: %v", err)
	}
	return id
}

// Category adds a supplier category and returns its id.
func Category(t testing.TB, db DB, connectionID int64, externalID, name string) int64 {
	t.Helper()
	var id int64
	err := db.QueryRow(context.Background(), `INSERT INTO catalog_categories (connection_id, external_id, name, slug, content_hash)
		VALUES ($1, $2, $3, $2, '\x00') RETURNING id`, connectionID, externalID, name).Scan(&id)
	if err != nil {
		t.Fatalf("curationtest: category: %v", err)
	}
	return id
}

// Brand adds a brand and returns its id.
func Brand(t testing.TB, db DB, connectionID int64, externalID, name string) int64 {
	t.Helper()
	var id int64
	err := db.QueryRow(context.Background(), `INSERT INTO catalog_brands (connection_id, external_id, name, slug, content_hash)
		VALUES ($1, $2, $3, $2, '\x00') RETURNING id`, connectionID, externalID, name).Scan(&id)
	if err != nil {
		t.Fatalf("curationtest: brand: %v", err)
	}
	return id
}

// Product is a product to add. Zero values get sensible defaults: a
// unique external id, price € 10,00, in stock.
type Product struct {
	ExternalID  string
	Name        string
	SKU         string
	Description string
	// PriceCents < 0 means no price.
	PriceCents  int64
	StockStatus string
	CategoryIDs []string
	BrandIDs    []string
	Images      []string // image URLs, the first is the main image
	Variants    []Variant
	Deleted     bool
}

// Variant is a variant to add.
type Variant struct {
	ExternalID string
	SKU        string
	PriceCents int64
	// Options as name → value, e.g. {"Kleur": "Rood"}.
	Option, Value string
}

// AddProduct adds a product with its variants and a pending curation row,
// and returns the product id.
func AddProduct(t testing.TB, db DB, connectionID int64, p Product) int64 {
	t.Helper()
	ctx := context.Background()
	n := seq.Add(1)
	if p.ExternalID == "" {
		p.ExternalID = fmt.Sprintf("p%d", n)
	}
	if p.Name == "" {
		p.Name = fmt.Sprintf("Testproduct %d", n)
	}
	if p.PriceCents == 0 {
		p.PriceCents = 1000
	}
	if p.StockStatus == "" {
		p.StockStatus = "instock"
	}
	var price *int64
	if p.PriceCents > 0 {
		price = &p.PriceCents
	}
	typ := "simple"
	if len(p.Variants) > 0 {
		typ = "variable"
		price = nil
		for _, v := range p.Variants {
			if price == nil || v.PriceCents < *price {
				c := v.PriceCents
				price = &c
			}
		}
	}
	type image struct {
		Src      string `json:"src"`
		Alt      string `json:"alt"`
		Position int    `json:"position"`
	}
	imgs := []image{}
	for i, src := range p.Images {
		imgs = append(imgs, image{Src: src, Alt: p.Name, Position: i})
	}
	imgJSON, _ := json.Marshal(imgs)
	if p.CategoryIDs == nil {
		p.CategoryIDs = []string{}
	}
	if p.BrandIDs == nil {
		p.BrandIDs = []string{}
	}
	var id int64
	err := db.QueryRow(ctx, `INSERT INTO products (connection_id, supplier_id, environment, external_id, type, shop_status, name, sku,
			description, regular_price_cents, price_cents, stock_status, category_ids, brand_ids, images, shop_modified_at, content_hash, deleted_at)
		SELECT c.id, c.supplier_id, c.environment, $2, $3, 'publish', $4, $5, $6, $7, $7, $8, $9, $10, $11, now(), '\x00',
		       CASE WHEN $12::boolean THEN now() END
		FROM connections c WHERE c.id = $1
		RETURNING id`,
		connectionID, p.ExternalID, typ, p.Name, p.SKU, p.Description, price, p.StockStatus, p.CategoryIDs, p.BrandIDs, imgJSON, p.Deleted).Scan(&id)
	if err != nil {
		t.Fatalf("curationtest: product: %v", err)
	}
	for i, v := range p.Variants {
		AddVariant(t, db, id, v, i)
	}
	if _, err := db.Exec(ctx, `INSERT INTO product_curation (product_id) VALUES ($1) ON CONFLICT DO NOTHING`, id); err != nil {
		t.Fatalf("curationtest: curation row: %v", err)
	}
	return id
}

// AddVariant adds a variant at position.
func AddVariant(t testing.TB, db DB, productID int64, v Variant, position int) {
	t.Helper()
	if v.ExternalID == "" {
		v.ExternalID = fmt.Sprintf("v%d", seq.Add(1))
	}
	opts := "[]"
	if v.Option != "" {
		b, _ := json.Marshal([]map[string]string{{"external_id": "", "name": v.Option, "option": v.Value}})
		opts = string(b)
	}
	_, err := db.Exec(context.Background(), `INSERT INTO product_variants (product_id, external_id, sku, regular_price_cents, price_cents, options, position, shop_modified_at, content_hash)
		VALUES ($1, $2, $3, $4, $4, $5, $6, now(), '\x00')`, productID, v.ExternalID, v.SKU, v.PriceCents, opts, position)
	if err != nil {
		t.Fatalf("curationtest: variant: %v", err)
	}
}

// Exec runs a statement or fails the test; for the changes a sync would
// make.
func Exec(t testing.TB, db DB, sql string, args ...any) {
	t.Helper()
	if _, err := db.Exec(context.Background(), sql, args...); err != nil {
		t.Fatalf("curationtest: %s: %v", sql, err)
	}
}
