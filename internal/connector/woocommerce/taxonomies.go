package woocommerce

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"

	"github.com/wujw/ohis/internal/catalog"
	"github.com/wujw/ohis/internal/connector"
)

// wcTaxon is a category, brand, attribute or attribute term.
type wcTaxon struct {
	ID     int64  `json:"id"`
	Name   string `json:"name"`
	Slug   string `json:"slug"`
	Parent int64  `json:"parent"`
}

// taxonPage decodes a page of terms; a malformed entry fails the listing
// (taxonomies are small, and a broken one would misfile products).
type taxonPage struct {
	items []wcTaxon
	bad   string
}

func decodeTaxa(raw []json.RawMessage) taxonPage {
	p := taxonPage{items: make([]wcTaxon, 0, len(raw))}
	for _, r := range raw {
		var t wcTaxon
		if err := json.Unmarshal(r, &t); err != nil || t.ID <= 0 {
			if p.bad == "" {
				p.bad = snippet(r, 200)
				if err != nil {
					p.bad += ": " + err.Error()
				}
			}
			continue
		}
		p.items = append(p.items, t)
	}
	return p
}

// listTaxa reads a whole taxonomy.
func (c *conn) listTaxa(ctx context.Context, resource, path string, unpaged bool) ([]wcTaxon, error) {
	var out []wcTaxon
	l := listing{resource: resource, path: path, query: url.Values{}, unpaged: unpaged}
	_, err := list(ctx, c, l, decodeTaxa, func(page connector.Page, p taxonPage, _ int) error {
		if p.bad != "" {
			return &connector.Error{
				Code:    connector.CodeBadResponse,
				Message: fmt.Sprintf("%s gaf in de lijst met %s een element dat niet klopt (pagina %d): elk element moet een numeriek id, een naam (name) en een slug hebben.", c.subject(), resource, page.Number),
				Detail:  fmt.Sprintf("GET %s%s page %d: %s", c.base, path, page.Number, c.redact(p.bad)),
			}
		}
		out = append(out, p.items...)
		return nil
	})
	return out, err
}

// Taxonomies reads categories, global attributes with their terms and
// brands. A shop without brands (404 on /products/brands) has
// BrandsSupported false; that is not an error.
func (c *conn) Taxonomies(ctx context.Context) (catalog.Taxonomies, error) {
	var tx catalog.Taxonomies
	cats, err := c.listTaxa(ctx, "categorieën", "/products/categories", false)
	if err != nil {
		return tx, err
	}
	for _, t := range cats {
		tx.Categories = append(tx.Categories, catalog.Category{ExternalID: idString(t.ID), ParentExternalID: idString(t.Parent), Name: cleanText(t.Name), Slug: t.Slug})
	}

	brands, err := c.listTaxa(ctx, "merken", "/products/brands", false)
	switch {
	case err == nil:
		tx.BrandsSupported = true
		for _, t := range brands {
			tx.Brands = append(tx.Brands, catalog.Brand{ExternalID: idString(t.ID), ParentExternalID: idString(t.Parent), Name: cleanText(t.Name), Slug: t.Slug})
		}
	case isAbsent(err):
		tx.BrandsSupported = false
	default:
		return tx, err
	}

	attrs, err := c.listTaxa(ctx, "attributen", "/products/attributes", true)
	if err != nil {
		return tx, err
	}
	tx.Attributes = make([]catalog.Attribute, len(attrs))
	for i, a := range attrs {
		tx.Attributes[i] = catalog.Attribute{ExternalID: idString(a.ID), Name: cleanText(a.Name), Slug: a.Slug}
	}
	err = ordered(ctx, len(attrs), c.width,
		func(ctx context.Context, i int) ([]wcTaxon, error) {
			return c.listTaxa(ctx, "attribuutwaarden", "/products/attributes/"+strconv.FormatInt(attrs[i].ID, 10)+"/terms", false)
		},
		func(i int, terms []wcTaxon) error {
			tx.Attributes[i].Terms = make([]catalog.Term, len(terms))
			for j, t := range terms {
				tx.Attributes[i].Terms[j] = catalog.Term{ExternalID: idString(t.ID), Name: cleanText(t.Name), Slug: t.Slug}
			}
			return nil
		})
	if len(tx.Attributes) == 0 {
		tx.Attributes = nil
	}
	return tx, err
}
