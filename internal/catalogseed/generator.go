package catalogseed

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/wujw/ohis/internal/store"
)

// batch is how many products go into one statement.
const batch = 5000

// unmappedCategory is a supplier category no platform category maps onto
// (it shows up in the curators' "unmapped" list): its products are in no
// platform category.
const unmappedCategory = "Opruiming"

type generator struct {
	o   Options
	st  *store.Store
	res *Result
	// platform category slug → id
	platform map[string]int64
}

// supplierPlan is what one supplier sells.
type supplierPlan struct {
	index int
	id    int64
	name  string
	code  string // SKU prefix
	host  string
	kinds []kind
}

// connJob is one connection whose products are still to be written.
type connJob struct {
	plan      supplierPlan
	env       string
	envIndex  int
	id        int64
	catExt    map[string]string // supplier category name → external id
	clearance string            // the unmapped category's external id
	brandExt  map[string]string // brand name → external id
}

// taxonomy writes everything but the products: platform categories,
// suppliers with their applications, connections, their categories (mapped)
// and brands. It returns the connections to fill.
func (g *generator) taxonomy(ctx context.Context) ([]connJob, error) {
	if err := g.platformCategories(ctx); err != nil {
		return nil, err
	}
	plans, err := g.suppliers(ctx)
	if err != nil {
		return nil, err
	}
	var conns []store.SeedConnection
	keyID := g.o.Box.CurrentKeyID()
	for _, p := range plans {
		for _, env := range g.o.Environments {
			// Made-up credentials for made-up shops: sealed like real ones,
			// never used (seeded connections are paused).
			creds, _ := g.o.Box.Seal([]byte(`{"consumer_key":"ck_seed","consumer_secret":"cs_seed"}`), "catalogseed")
			hook, _ := g.o.Box.Seal([]byte("seed-webhook-secret"), "catalogseed")
			conns = append(conns, store.SeedConnection{SupplierID: p.id, Environment: env, BaseURL: "https://" + p.host, Credentials: creds, WebhookSecret: hook})
		}
	}
	ids, err := g.st.CatalogSeedConnections(ctx, keyID, conns)
	if err != nil {
		return nil, err
	}
	connID := map[string]int64{}
	for _, id := range ids {
		connID[id.Key] = id.ID
		g.res.ConnectionIDs = append(g.res.ConnectionIDs, id.ID)
	}
	var jobs []connJob
	for _, p := range plans {
		for ei, env := range g.o.Environments {
			id, ok := connID[store.SeedConnectionKey(p.id, env)]
			if !ok {
				return nil, fmt.Errorf("catalogseed: connection of supplier %d in %s not created", p.id, env)
			}
			job, err := g.terms(ctx, connJob{plan: p, env: env, envIndex: ei, id: id})
			if err != nil {
				return nil, err
			}
			jobs = append(jobs, job)
		}
	}
	return jobs, nil
}

func (g *generator) platformCategories(ctx context.Context) error {
	g.platform = map[string]int64{}
	for i, n := range platformTree {
		var parent *int64
		if n.parent != "" {
			id := g.platform[n.parent]
			parent = &id
		}
		id, err := g.st.CatalogSeedPlatformCategory(ctx, parent, n.name, n.slug, (i+1)*10)
		if err != nil {
			return err
		}
		g.platform[n.slug] = id
	}
	g.res.PlatformCategories = len(platformTree)
	return nil
}

func (g *generator) suppliers(ctx context.Context) ([]supplierPlan, error) {
	plans := make([]supplierPlan, g.o.Suppliers)
	names := make([]string, g.o.Suppliers)
	for i := range plans {
		name := supplierNames[i%len(supplierNames)]
		if i >= len(supplierNames) {
			name += " " + strconv.Itoa(i/len(supplierNames)+1)
		}
		rng := g.rng(uint64(i), 0)
		// Each supplier sells 4 to 9 kinds of products.
		perm := rng.Perm(len(kinds))
		n := 4 + rng.IntN(6)
		var ks []kind
		for _, k := range perm[:n] {
			ks = append(ks, kinds[k])
		}
		plans[i] = supplierPlan{index: i, name: name, code: fmt.Sprintf("S%02d", i+1), host: slugify(name) + ".winkel.invalid", kinds: ks}
		names[i] = name
	}
	ids, err := g.st.CatalogSeedSuppliers(ctx, names)
	if err != nil {
		return nil, err
	}
	byName := map[string]int64{}
	for _, id := range ids {
		byName[id.Key] = id.ID
	}
	production := (g.o.Suppliers*g.o.ProductionPercent + 50) / 100
	apps := make([]store.SeedApplication, len(plans))
	for i := range plans {
		plans[i].id = byName[plans[i].name]
		g.res.SupplierIDs = append(g.res.SupplierIDs, plans[i].id)
		state := "admitted"
		if i < production {
			state = "production"
		}
		n := int(g.o.Seed%100)*10000 + i
		contact := contactNames[i%len(contactNames)]
		apps[i] = store.SeedApplication{
			SupplierID: plans[i].id, CompanyName: plans[i].name + " B.V.",
			KvK: fmt.Sprintf("9%07d", n), VATID: fmt.Sprintf("NL%09dB01", n), IBAN: iban("SEED", uint64(n)),
			ContactName: contact, Email: "info@" + plans[i].host, Phone: fmt.Sprintf("+31 20 %03d %04d", 100+i%900, n%10000),
			Website: "https://" + plans[i].host, State: state,
		}
	}
	return plans, g.st.CatalogSeedApplications(ctx, g.o.Now, apps)
}

// rng is the random source of one supplier (and environment), so each
// supplier's catalogue is the same whatever the number of suppliers.
func (g *generator) rng(supplier, stream uint64) *rand.Rand {
	return rand.New(rand.NewPCG(g.o.Seed, supplier<<8|stream))
}

// terms writes a connection's categories (mapped onto the platform's) and
// brands.
func (g *generator) terms(ctx context.Context, job connJob) (connJob, error) {
	p, connID := job.plan, job.id
	// Categories: one per distinct supplier category of its kinds, plus the
	// unmapped clearance category.
	var cats []store.SeedTerm
	catExt := map[string]string{}
	for _, k := range p.kinds {
		if _, ok := catExt[k.category]; ok {
			continue
		}
		ext := strconv.Itoa(100 + len(cats))
		catExt[k.category] = ext
		cats = append(cats, store.SeedTerm{ConnectionID: connID, ExternalID: ext, Name: k.category, Slug: slugify(k.category)})
	}
	clearance := strconv.Itoa(100 + len(cats))
	cats = append(cats, store.SeedTerm{ConnectionID: connID, ExternalID: clearance, Name: unmappedCategory, Slug: slugify(unmappedCategory)})
	catIDs, err := g.st.CatalogSeedCategories(ctx, cats)
	if err != nil {
		return job, err
	}
	catID := map[string]int64{}
	for _, c := range catIDs {
		catID[c.Key] = c.ID
	}
	var mapFrom, mapTo []int64
	for _, k := range p.kinds {
		from := catID[strconv.FormatInt(connID, 10)+"/"+catExt[k.category]]
		if slices.Contains(mapFrom, from) {
			continue
		}
		mapFrom, mapTo = append(mapFrom, from), append(mapTo, g.platform[k.platform])
	}
	if err := g.st.CatalogSeedMappings(ctx, mapFrom, mapTo); err != nil {
		return job, err
	}
	g.res.Categories += len(cats)

	// Brands: every brand of its kinds.
	brandExt := map[string]string{}
	var brands []store.SeedTerm
	for _, k := range p.kinds {
		for _, b := range k.brands {
			if _, ok := brandExt[b]; ok {
				continue
			}
			ext := strconv.Itoa(500 + len(brands))
			brandExt[b] = ext
			brands = append(brands, store.SeedTerm{ConnectionID: connID, ExternalID: ext, Name: b, Slug: slugify(b)})
		}
	}
	if err := g.st.CatalogSeedBrands(ctx, brands); err != nil {
		return job, err
	}
	g.res.Brands += len(brands)
	job.catExt, job.clearance, job.brandExt = catExt, clearance, brandExt
	return job, nil
}

// fill writes a connection's products in batches, each batch (products,
// variants, curation) in one statement per table, through st.
func (g *generator) fill(ctx context.Context, st *store.Store, job connJob) (tally, error) {
	var t tally
	rng := g.rng(uint64(job.plan.index), uint64(job.envIndex+1))
	for from := 0; from < g.o.ProductsPerSupplier; from += batch {
		to := min(from+batch, g.o.ProductsPerSupplier)
		if err := g.products(ctx, st, rng, job, from, to, &t); err != nil {
			return t, err
		}
	}
	return t, nil
}

// tally counts what one connection got.
type tally struct {
	products, variable, variants int
	byStatus                     map[string]int
}

// products generates and writes products [from, to) of one connection with
// their variants and curation rows.
func (g *generator) products(ctx context.Context, st *store.Store, rng *rand.Rand, job connJob, from, to int, t *tally) error {
	ps := make([]store.SeedProduct, 0, to-from)
	variants := map[string][]store.SeedVariant{}
	for j := from; j < to; j++ {
		prod, vs := g.product(rng, job, j)
		ps = append(ps, prod)
		if len(vs) > 0 {
			variants[prod.ExternalID] = vs
		}
	}
	ids, err := st.CatalogSeedProducts(ctx, ps)
	if err != nil {
		return err
	}
	var allVariants []store.SeedVariant
	cur := make([]store.SeedCuration, 0, len(ids))
	for _, id := range ids {
		for _, v := range variants[id.Key] {
			v.ProductID = id.ID
			allVariants = append(allVariants, v)
		}
		cur = append(cur, g.curation(rng, id.ID, t))
	}
	if len(allVariants) > 0 {
		if err := st.CatalogSeedVariants(ctx, allVariants); err != nil {
			return err
		}
	}
	if err := st.CatalogSeedCuration(ctx, g.o.Now, cur); err != nil {
		return err
	}
	t.products += len(ids)
	t.variable += len(variants)
	t.variants += len(allVariants)
	return nil
}

func (g *generator) curation(rng *rand.Rand, productID int64, t *tally) store.SeedCuration {
	c := store.SeedCuration{ProductID: productID, Status: "pending"}
	m := g.o.Curation
	switch r := rng.IntN(100); {
	case r < m.Approved:
		c.Status = "approved"
	case r < m.Approved+m.Rejected:
		c.Status, c.ReasonText = "rejected", pick(rng, []string{
			"Geen energiebesparend product.", "Productinformatie is onvolledig.", "Prijs wijkt sterk af van de markt.",
		})
	case r < m.Approved+m.Rejected+m.Changed:
		c.Status, c.ChangeSummary = "changed", "Prijs gestegen met meer dan 10%."
	}
	if t.byStatus == nil {
		t.byStatus = map[string]int{}
	}
	t.byStatus[c.Status]++
	return c
}

func (g *generator) product(rng *rand.Rand, job connJob, j int) (store.SeedProduct, []store.SeedVariant) {
	p, env, connID, catExt, clearance, brandExt := job.plan, job.env, job.id, job.catExt, job.clearance, job.brandExt
	k := p.kinds[rng.IntN(len(p.kinds))]
	brand := pick(rng, k.brands)
	brandID := brandExt[brand]
	if rng.IntN(100) < 5 {
		brand, brandID = "", ""
	}
	parts := []string{}
	if brand != "" {
		parts = append(parts, brand)
	}
	parts = append(parts, k.noun)
	for _, spec := range k.specs {
		if v := pick(rng, spec); v != "" {
			parts = append(parts, v)
		}
	}
	if rng.IntN(3) == 0 {
		parts = append(parts, "type "+string(rune('A'+rng.IntN(26)))+strconv.Itoa(10+rng.IntN(90)))
	}
	name := strings.Join(parts, " ")
	ext := strconv.Itoa(1000 + j)
	sku := fmt.Sprintf("%s-%s-%05d", p.code, strings.ToUpper(k.key), j)
	category := catExt[k.category]
	if rng.IntN(100) < 3 {
		category = clearance
	}
	firstSeen := epoch.Add(-time.Duration(rng.IntN(300*24*60)) * time.Minute)
	modified := firstSeen.Add(time.Duration(rng.IntN(int(epoch.Sub(firstSeen)/time.Minute)+1)) * time.Minute)
	slug := slugify(name) + "-" + ext
	prod := store.SeedProduct{
		ConnectionID: connID, SupplierID: p.id, Environment: env, ExternalID: ext, Type: "simple",
		ShopStatus: shopStatus(rng), Name: name, Slug: slug, Permalink: "https://" + p.host + "/product/" + slug + "/",
		SKU: sku, Description: description(rng, name, brand, k), Short: "<p>" + pick(rng, k.features) + ".</p>",
		CategoryExternalID: category, BrandExternalID: brandID, AttributesJSON: "[]",
		ImagesJSON: images(rng, p.host, slug, name), ModifiedAt: modified, FirstSeenAt: firstSeen,
		Deleted: rng.IntN(100) < 2,
	}
	base := k.min + rng.Int64N((k.max-k.min)/100+1)*100
	if rng.IntN(100) >= g.o.VariablePercent {
		prod.RegularCents, prod.SaleCents, prod.PriceCents = price(rng, base)
		prod.ManageStock, prod.StockQuantity, prod.StockStatus, prod.Backorders = stock(rng)
		return prod, nil
	}

	prod.Type = "variable"
	opts := slices.Clone(k.options)
	rng.Shuffle(len(opts), func(a, b int) { opts[a], opts[b] = opts[b], opts[a] })
	opts = opts[:2+rng.IntN(min(len(opts), 5)-1)]
	attrs, _ := json.Marshal([]map[string]any{{"external_id": "", "name": k.attr, "options": opts, "visible": true, "variation": true}})
	prod.AttributesJSON = string(attrs)
	var vs []store.SeedVariant
	for i, opt := range opts {
		options, _ := json.Marshal([]map[string]string{{"external_id": "", "name": k.attr, "option": opt}})
		v := store.SeedVariant{
			ExternalID: strconv.Itoa(500000 + j*10 + i), ShopStatus: "publish", SKU: fmt.Sprintf("%s-%d", sku, i+1),
			OptionsJSON: string(options), Position: int32(i), ModifiedAt: modified, Deleted: rng.IntN(100) < 3,
		}
		switch r := rng.IntN(100); {
		case r < 3:
			v.ShopStatus = "private"
		case r < 5:
			v.ShopStatus = "draft"
		}
		v.RegularCents, v.SaleCents, v.PriceCents = price(rng, base+int64(i)*(base/10/100*100))
		v.ManageStock, v.StockQuantity, v.StockStatus, v.Backorders = stock(rng)
		vs = append(vs, v)
	}
	// The parent carries the lowest current price and the best stock
	// status of its sellable variants, as the syncer derives them.
	prod.StockStatus, prod.Backorders = "outofstock", "no"
	rank := map[string]int{"outofstock": 0, "onbackorder": 1, "instock": 2}
	for _, v := range vs {
		if v.Deleted || v.ShopStatus != "publish" {
			continue
		}
		if v.PriceCents != nil && (prod.PriceCents == nil || *v.PriceCents < *prod.PriceCents) {
			prod.PriceCents, prod.RegularCents, prod.SaleCents = v.PriceCents, v.RegularCents, v.SaleCents
		}
		if rank[v.StockStatus] > rank[prod.StockStatus] {
			prod.StockStatus = v.StockStatus
		}
	}
	return prod, vs
}

func shopStatus(rng *rand.Rand) string {
	switch r := rng.IntN(100); {
	case r < 2:
		return "draft"
	case r < 3:
		return "private"
	case r < 4:
		return "pending"
	}
	return "publish"
}

// price is a price around base (cents) ending in ,95 or ,99: now and then
// on sale, rarely missing or zero.
func price(rng *rand.Rand, base int64) (regular, sale, current *int64) {
	switch r := rng.IntN(200); {
	case r < 2:
		return nil, nil, nil
	case r < 3:
		zero := int64(0)
		return &zero, nil, &zero
	}
	end := int64(5)
	if rng.IntN(2) == 0 {
		end = 1
	}
	reg := max(base/100*100-end, 95)
	if rng.IntN(100) < 15 {
		s := reg * int64(70+rng.IntN(21)) / 100 / 5 * 5
		s = max(s, 5)
		return &reg, &s, &s
	}
	return &reg, nil, &reg
}

// stock is a stock situation: managed with a quantity (sometimes none
// left, with or without backorders) or just a status.
func stock(rng *rand.Rand) (managed bool, qty *int32, status, backorders string) {
	backorders = "no"
	if rng.IntN(2) == 0 {
		q := int32(1 + rng.IntN(250))
		if rng.IntN(100) < 15 {
			q = int32(-rng.IntN(3))
		}
		status = "instock"
		if q <= 0 {
			status = "outofstock"
			if rng.IntN(2) == 0 {
				backorders = pick(rng, []string{"notify", "yes"})
				status = "onbackorder"
			}
		}
		return true, &q, status, backorders
	}
	switch r := rng.IntN(100); {
	case r < 7:
		return false, nil, "outofstock", "no"
	case r < 12:
		return false, nil, "onbackorder", "notify"
	}
	return false, nil, "instock", "no"
}

func description(rng *rand.Rand, name, brand string, k kind) string {
	var b strings.Builder
	open := "<p>"
	// Shops paste formatted text: inline styles are common.
	if rng.IntN(10) == 0 {
		open = `<p style="text-align: left; color: #333;">`
	}
	maker := ""
	if brand != "" {
		maker = " van " + brand
	}
	fmt.Fprintf(&b, "%sDe %s%s helpt u energie te besparen in huis.</p>\n<ul>\n", open, strings.ToLower(k.noun), maker)
	for _, f := range k.features {
		fmt.Fprintf(&b, "<li>%s</li>\n", f)
	}
	b.WriteString("</ul>\n")
	fmt.Fprintf(&b, "<h3>Specificaties</h3>\n<p><strong>Product:</strong> %s</p>\n", name)
	if rng.IntN(200) == 0 {
		b.WriteString(`<script>alert("zo niet")</script><p onclick="alert(1)">Klik hier</p>`)
	}
	return b.String()
}

func images(rng *rand.Rand, host, slug, alt string) string {
	n := rng.IntN(4) // 0 to 3 images
	type image struct {
		ExternalID string `json:"external_id"`
		Src        string `json:"src"`
		Alt        string `json:"alt"`
		Position   int    `json:"position"`
	}
	out := make([]image, n)
	for i := range out {
		out[i] = image{ExternalID: strconv.Itoa(9000 + rng.IntN(90000)),
			Src: fmt.Sprintf("https://%s/wp-content/uploads/2026/%02d/%s-%d.jpg", host, 1+rng.IntN(11), slug, i+1), Alt: alt, Position: i}
	}
	b, _ := json.Marshal(out)
	return string(b)
}

func pick[T any](rng *rand.Rand, xs []T) T { return xs[rng.IntN(len(xs))] }

// slugify makes a URL slug of Dutch text: lower case, letters and digits,
// words joined by hyphens.
func slugify(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			b.WriteRune(r)
			dash = false
		case strings.ContainsRune("äáàâ", r):
			b.WriteByte('a')
			dash = false
		case strings.ContainsRune("ëéèê", r):
			b.WriteByte('e')
			dash = false
		case strings.ContainsRune("ïíìî", r):
			b.WriteByte('i')
			dash = false
		case strings.ContainsRune("öóòô", r):
			b.WriteByte('o')
			dash = false
		case strings.ContainsRune("üúùû", r):
			b.WriteByte('u')
			dash = false
		default:
			if !dash && b.Len() > 0 {
				b.WriteByte('-')
				dash = true
			}
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}

// iban is a Dutch IBAN with valid check digits for a bank code and account.
func iban(bank string, account uint64) string {
	acct := fmt.Sprintf("%010d", account%10_000_000_000)
	digits := ""
	for _, r := range bank + acct + "NL00" {
		if r >= 'A' && r <= 'Z' {
			digits += strconv.Itoa(int(r-'A') + 10)
		} else {
			digits += string(r)
		}
	}
	mod := 0
	for _, r := range digits {
		mod = (mod*10 + int(r-'0')) % 97
	}
	return fmt.Sprintf("NL%02d%s%s", 98-mod, bank, acct)
}
