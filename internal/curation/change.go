package curation

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/wujw/ohis/internal/audit"
	"github.com/wujw/ohis/internal/store"
)

// ChangeKind names a kind of significant change after approval.
type ChangeKind string

// The significant changes (SPEC §3): a price up by more than the threshold,
// another title, other categories, a variant added or removed.
const (
	ChangePrice          ChangeKind = "price"
	ChangeVariantPrice   ChangeKind = "variant_price"
	ChangeName           ChangeKind = "name"
	ChangeCategories     ChangeKind = "categories"
	ChangeVariantAdded   ChangeKind = "variant_added"
	ChangeVariantRemoved ChangeKind = "variant_removed"
)

// Change is one significant difference, with its Dutch description.
type Change struct {
	Kind ChangeKind
	Text string
}

// priceUp reports whether a price rose by more than pct percent. A price
// that appears where there was none (or zero) counts as a rise: the
// product was not for sale at the approved price.
func priceUp(old, cur *int64, pct int) bool {
	if cur == nil || *cur <= 0 {
		return false
	}
	if old == nil || *old <= 0 {
		return true
	}
	// cur > old × (1 + pct/100), in integers.
	return *cur*100 > *old*int64(100+pct)
}

func priceText(c *int64) string {
	if c == nil {
		return "geen prijs"
	}
	return FormatEUR(*c)
}

func increaseText(old, cur *int64) string {
	if old == nil || *old <= 0 || cur == nil {
		return ""
	}
	// Whole percent, rounded half up.
	p := ((*cur-*old)*1000/(*old) + 5) / 10
	return fmt.Sprintf(" (+%d %%)", p)
}

// Compare lists the significant changes from the approved snapshot to the
// product now, for a price threshold of pct percent.
func Compare(approved, cur store.CurationSnapshot, pct int) []Change {
	var out []Change
	if approved.Name != cur.Name {
		out = append(out, Change{ChangeName, fmt.Sprintf("Naam gewijzigd van ‘%s’ naar ‘%s’.", approved.Name, cur.Name)})
	}
	if !sameSet(approved.CategoryIDs, cur.CategoryIDs) {
		out = append(out, Change{ChangeCategories, "Categorieën van de aanbieder gewijzigd."})
	}
	if len(approved.Variants) == 0 && len(cur.Variants) == 0 {
		if priceUp(approved.PriceCents, cur.PriceCents, pct) {
			out = append(out, Change{ChangePrice, fmt.Sprintf("Prijs verhoogd van %s naar %s%s.",
				priceText(approved.PriceCents), priceText(cur.PriceCents), increaseText(approved.PriceCents, cur.PriceCents))})
		}
		return out
	}
	before := map[string]store.SnapshotVariant{}
	for _, v := range approved.Variants {
		before[v.ExternalID] = v
	}
	now := map[string]bool{}
	for _, v := range cur.Variants {
		now[v.ExternalID] = true
		old, ok := before[v.ExternalID]
		switch {
		case !ok:
			out = append(out, Change{ChangeVariantAdded, "Variant toegevoegd: " + variantName(v) + " (" + priceText(v.PriceCents) + ")."})
		case priceUp(old.PriceCents, v.PriceCents, pct):
			out = append(out, Change{ChangeVariantPrice, fmt.Sprintf("Prijs van variant %s verhoogd van %s naar %s%s.",
				variantName(v), priceText(old.PriceCents), priceText(v.PriceCents), increaseText(old.PriceCents, v.PriceCents))})
		}
	}
	for _, v := range approved.Variants {
		if !now[v.ExternalID] {
			out = append(out, Change{ChangeVariantRemoved, "Variant verwijderd: " + variantName(v) + "."})
		}
	}
	return out
}

func variantName(v store.SnapshotVariant) string {
	switch {
	case v.Label != "":
		return v.Label
	case v.SKU != "":
		return "SKU " + v.SKU
	}
	return "#" + v.ExternalID
}

func sameSet(a, b []string) bool {
	x, y := slices.Clone(a), slices.Clone(b)
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(slices.Compact(x), slices.Compact(y))
}

// Summary is the Dutch text stored with a product back in the queue: one
// line per change.
func Summary(changes []Change) string {
	lines := make([]string, len(changes))
	for i, c := range changes {
		lines[i] = c.Text
	}
	return strings.Join(lines, "\n")
}

// noLongerDifferent is the summary of a product back in the queue whose
// changes were undone meanwhile.
const noLongerDifferent = "Geen belangrijke verschillen meer met de goedgekeurde versie."

// ProductsChanged is the syncer's hook (syncer.ChangeHook), called inside
// its data transaction after it changed existing products. An approved
// product that changed significantly goes back to the queue (status
// changed, with a summary); a product waiting for a decision gets a new
// version, so a form opened before the change is refused.
func (s *Service) ProductsChanged(ctx context.Context, tx *store.Store, productIDs []int64) error {
	if len(productIDs) == 0 {
		return nil
	}
	ids := slices.Clone(productIDs)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	settings, err := tx.CurationSettingsGet(ctx)
	if err != nil {
		return err
	}
	states, err := tx.ProductCurationForChange(ctx, ids)
	if err != nil {
		return err
	}
	var bump []int64
	for _, st := range states {
		if st.Deleted {
			// Gone from the shop: not visible whatever its status; a
			// restore calls this hook again.
			continue
		}
		switch st.Status {
		case store.CurationApproved, store.CurationChanged:
			if st.Approved == nil {
				bump = append(bump, st.ProductID)
				continue
			}
			changes := Compare(*st.Approved, st.Current, settings.PriceIncreasePercent)
			summary := Summary(changes)
			if st.Status == store.CurationApproved && len(changes) == 0 {
				continue // not significant: nothing happens
			}
			if st.Status == store.CurationChanged && len(changes) == 0 {
				summary = noLongerDifferent
			}
			if st.Status == store.CurationChanged && summary == st.ChangeSummary {
				continue
			}
			if err := tx.ProductCurationMarkChanged(ctx, st.ProductID, summary); err != nil {
				return err
			}
			supplierID := st.SupplierID
			if err := tx.AuditAdd(ctx, audit.Entry{Actor: audit.Actor{}, Action: AuditBackInQueue, SubjectType: "product",
				SubjectID: productSubject(st.ProductID), SupplierID: &supplierID,
				Detail: map[string]string{"name": st.Current.Name, "changes": summary}}); err != nil {
				return err
			}
		default:
			bump = append(bump, st.ProductID)
		}
	}
	return tx.ProductCurationBump(ctx, bump)
}
