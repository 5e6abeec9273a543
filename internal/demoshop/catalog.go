package demoshop

import (
	"fmt"
	"strings"
	"time"
)

// Generated catalogue layout (deterministic from Options and Seed):
//
//   - product ids 1..Products; product id divisible by 97 is "grouped", by 89
//     "external" (connectors must skip both); otherwise every VariableEvery-th
//     product is "variable", the rest "simple". All generated products are
//     published.
//   - variation ids follow the products: the k-th variable slot (product id
//     k×VariableEvery) owns ids Products+(k-1)×VariationsPer+1 …
//     Products+k×VariationsPer (a slot taken by a grouped/external product
//     leaves a hole, like deleted posts).
//   - items added at runtime get ids after the generated range.
//
// Nothing of the catalogue is stored: an untouched item is computed from
// (seed, id) when needed; only mutated, added and deleted items live in the
// shop's overlay.

// Term ids: categories 16.., brands 60.., attribute terms 101.. (terms share
// one id space in WordPress; posts — products, variations, images — another).

type category struct {
	ID     int64
	Name   string
	Slug   string
	Parent int64
}

var categories = []category{
	{16, "Isolatie", "isolatie", 0},
	{17, "Raamisolatie", "raamisolatie", 16},
	{18, "Tochtwering", "tochtwering", 16},
	{19, "Vloerisolatie", "vloerisolatie", 16},
	{20, "Dakisolatie", "dakisolatie", 16},
	{21, "Verlichting", "verlichting", 0},
	{22, "LED-lampen", "led-lampen", 21},
	{23, "Buitenverlichting", "buitenverlichting", 21},
	{24, "Verwarming", "verwarming", 0},
	{25, "Radiatorfolie", "radiatorfolie", 24},
	{26, "Slimme thermostaten", "slimme-thermostaten", 24},
	{27, "Radiatorventilatoren", "radiatorventilatoren", 24},
	{28, "Water besparen", "water-besparen", 0},
	{29, "Douchekoppen", "douchekoppen", 28},
	{30, "Kraanbeluchters", "kraanbeluchters", 28},
	{31, "Zonne-energie", "zonne-energie", 0},
	{32, "Zonnepanelen", "zonnepanelen", 31},
	{33, "Omvormers", "omvormers", 31},
	{34, "Meten en besturen", "meten-en-besturen", 0},
	{35, "Energiemeters", "energiemeters", 34},
	{36, "Slimme stekkers", "slimme-stekkers", 34},
}

var brands = []category{
	{60, "Philips", "philips", 0},
	{61, "Ledvance", "ledvance", 0},
	{62, "tado°", "tado", 0},
	{63, "Netatmo", "netatmo", 0},
	{64, "Honeywell Home", "honeywell-home", 0},
	{65, "Hansgrohe", "hansgrohe", 0},
	{66, "Grohe", "grohe", 0},
	{67, "tesa", "tesa", 0},
	{68, "Ecoline", "ecoline", 0},
	{69, "SolarEdge", "solaredge", 0},
	{70, "Enphase", "enphase", 0},
	{71, "HomeWizard", "homewizard", 0},
	{72, "Eurom", "eurom", 0},
}

type attrTerm struct {
	ID   int64
	Name string
	Slug string
}

type globalAttr struct {
	ID    int64
	Name  string
	Slug  string
	Terms []attrTerm
}

var globalAttrs = []globalAttr{
	{1, "Kleur", "pa_kleur", []attrTerm{
		{101, "Wit", "wit"}, {102, "Zwart", "zwart"}, {103, "Grijs", "grijs"},
		{104, "Antraciet", "antraciet"}, {105, "Transparant", "transparant"}, {106, "Bruin", "bruin"},
	}},
	{2, "Vermogen", "pa_vermogen", []attrTerm{
		{111, "2 W", "2-w"}, {112, "4 W", "4-w"}, {113, "6 W", "6-w"},
		{114, "8 W", "8-w"}, {115, "10 W", "10-w"}, {116, "12 W", "12-w"},
	}},
	{3, "Lichtkleur", "pa_lichtkleur", []attrTerm{
		{121, "Warm wit 2700 K", "warm-wit-2700-k"}, {122, "Wit 3000 K", "wit-3000-k"},
		{123, "Neutraal wit 4000 K", "neutraal-wit-4000-k"}, {124, "Daglicht 6500 K", "daglicht-6500-k"},
	}},
}

func globalAttrByID(id int64) *globalAttr {
	for i := range globalAttrs {
		if globalAttrs[i].ID == id {
			return &globalAttrs[i]
		}
	}
	return nil
}

func categoryByID(list []category, id int64) *category {
	for i := range list {
		if list[i].ID == id {
			return &list[i]
		}
	}
	return nil
}

type productTemplate struct {
	prefix    string // SKU prefix
	name      string // with one %s
	params    []string
	category  int64
	minCents  int64
	maxCents  int64
	brands    []int64
	global    int64  // global attribute used by the variable form
	local     string // local attribute name of the variable form
	localOpts []string
	desc      string
}

var templates = []productTemplate{
	{"LED", "LED-lamp %s", []string{"E27 806 lm", "E14 470 lm", "E27 1055 lm dimbaar", "filament E27 2700 K", "GU10 345 lm"}, 22, 249, 2495, []int64{60, 61}, 3, "Fitting", []string{"E27", "E14", "GU10"}, "Zuinige LED-lamp die tot 85% minder stroom verbruikt dan een gloeilamp."},
	{"SPOT", "LED-spot %s", []string{"GU10 set van 3", "MR16 12 V", "inbouw dimbaar"}, 22, 795, 3995, []int64{60, 61}, 2, "Verpakking", []string{"Los", "Set van 3", "Set van 6"}, "LED-spot met lange levensduur."},
	{"RFOL", "Radiatorfolie %s", []string{"5 m²", "10 m²", "15 m² met tape"}, 25, 795, 2995, []int64{68}, 1, "Lengte", []string{"5 m", "10 m", "15 m"}, "Reflecteert de warmte van de radiator terug de kamer in."},
	{"TOCHT", "Tochtstrip %s", []string{"zelfklevend 6 m", "rubber P-profiel 10 m", "E-profiel 7,5 m", "borstel voor deuren"}, 18, 295, 1995, []int64{67}, 1, "Lengte", []string{"6 m", "10 m", "25 m"}, "Houdt tocht tegen bij ramen en deuren."},
	{"BRIEF", "Brievenbusborstel %s", []string{"enkel", "dubbel", "met klep"}, 18, 995, 2495, []int64{67, 68}, 1, "Maat", []string{"Standaard", "Breed"}, "Dicht de brievenbus af tegen tocht."},
	{"DOUCHE", "Waterbesparende douchekop %s", []string{"Eco 6 l/min", "Eco Plus 5 l/min", "met stopknop", "regendouche 7 l/min"}, 29, 1495, 8995, []int64{65, 66}, 1, "Straalsoort", []string{"Normaal", "Massage", "Regen"}, "Bespaart water en energie zonder in te leveren op comfort."},
	{"BELUCHT", "Kraanbeluchter %s", []string{"M22 5 l/min", "M24 4 l/min", "draaibaar"}, 30, 200, 1295, []int64{65, 66}, 1, "Draad", []string{"Binnendraad", "Buitendraad"}, "Mengt lucht door het water: minder verbruik, zelfde straal."},
	{"THERMO", "Slimme thermostaat %s", []string{"starterskit V3+", "basis", "met app en geofencing"}, 26, 9900, 27900, []int64{62, 63, 64}, 1, "Uitvoering", []string{"Bedraad", "Draadloos"}, "Stookt alleen wanneer u thuis bent."},
	{"KNOP", "Slimme radiatorknop %s", []string{"los", "duopak", "starterskit"}, 26, 3995, 8995, []int64{62, 63, 64}, 1, "Aantal", []string{"1 stuk", "2 stuks", "4 stuks"}, "Regel per kamer de temperatuur."},
	{"VENT", "Radiatorventilator %s", []string{"60 cm", "80 cm", "USB"}, 27, 2995, 12900, []int64{72}, 2, "Lengte", []string{"40 cm", "60 cm", "80 cm"}, "Verspreidt de warmte van de radiator sneller."},
	{"ZON", "Zonnepaneel %s", []string{"400 Wp full black", "430 Wp", "375 Wp glas-glas"}, 32, 12900, 34900, []int64{69, 70}, 1, "Frame", []string{"Zwart frame", "Zilver frame"}, "Monokristallijn zonnepaneel voor op het dak."},
	{"MICRO", "Micro-omvormer %s", []string{"IQ8M", "IQ8HC", "dubbel"}, 33, 11900, 24900, []int64{70}, 2, "Uitvoering", []string{"Enkel", "Dubbel"}, "Omvormer per paneel voor maximale opbrengst."},
	{"OMV", "Omvormer %s", []string{"3,0 kW", "4,0 kW", "5,0 kW hybride"}, 33, 49900, 89900, []int64{69}, 1, "Fase", []string{"1-fase", "3-fase"}, "Zet de gelijkstroom van de panelen om naar wisselstroom."},
	{"METER", "Energiemeter %s", []string{"P1 wifi", "kWh 1-fase", "kWh 3-fase"}, 35, 2995, 9995, []int64{71}, 1, "Aansluiting", []string{"P1-poort", "DIN-rail"}, "Zie precies wat u verbruikt en teruglevert."},
	{"STEKKER", "Slimme stekker %s", []string{"met verbruiksmeting", "buiten IP44", "2-pack"}, 36, 1495, 3495, []int64{71, 60}, 1, "Aantal", []string{"1 stuk", "2 stuks", "4 stuks"}, "Schakel apparaten op afstand en meet het verbruik."},
	{"RAAM", "Raamisolatiefolie %s", []string{"1,5 × 2 m", "3 × 2 m", "dubbel pak"}, 17, 995, 3995, []int64{67}, 1, "Formaat", []string{"1,5 m²", "3 m²", "6 m²"}, "Vormt met het raam een isolerende luchtlaag."},
	{"VLOER", "Isolatieplaat vloer %s", []string{"20 mm", "40 mm", "60 mm"}, 19, 1250, 5995, []int64{68}, 1, "Dikte", []string{"20 mm", "40 mm", "60 mm"}, "Isoleert de vloer boven de kruipruimte."},
	{"DAK", "Dakisolatie rol %s", []string{"glaswol 100 mm", "steenwol 120 mm", "reflecterend"}, 20, 3995, 14900, []int64{68}, 1, "Dikte", []string{"100 mm", "120 mm", "160 mm"}, "Isoleert zolder en schuin dak."},
	{"BUITEN", "Buitenlamp met sensor %s", []string{"wand", "LED spot", "staand"}, 23, 1995, 7995, []int64{60, 61}, 3, "Sensor", []string{"Schemer", "Beweging"}, "Brandt alleen wanneer het nodig is."},
	{"LEIDING", "Leidingisolatie %s", []string{"15 mm × 1 m", "22 mm × 1 m", "28 mm × 2 m"}, 16, 200, 995, []int64{68}, 1, "Diameter", []string{"15 mm", "22 mm", "28 mm"}, "Voorkomt warmteverlies van cv- en warmwaterleidingen."},
}

func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// genEpoch is the creation time of generated post id 0.
var genEpoch = time.Date(2024, 1, 8, 9, 0, 0, 0, time.UTC)

// Product types and statuses.
const (
	TypeSimple    = "simple"
	TypeVariable  = "variable"
	TypeGrouped   = "grouped"
	TypeExternal  = "external"
	TypeVariation = "variation"
)

type image struct {
	ID      int64
	Created time.Time
	File    string
}

// prodAttr is a product attribute; Global 0 is a local attribute.
type prodAttr struct {
	ID        int64
	Name      string
	Visible   bool
	Variation bool
	Options   []string
}

type varAttr struct {
	ID     int64
	Name   string
	Option string
}

// item is one product or variation.
type item struct {
	ID                int64
	ParentID          int64
	Type              string
	Name              string
	Slug              string
	Status            string
	PrevStatus        string // status before trash
	Created, Modified time.Time
	SKU               string
	Description       string
	Short             string
	RegularCents      int64
	HasRegular        bool
	SaleCents         *int64
	SaleFrom, SaleTo  *time.Time
	ManageStock       bool
	StockQty          *int64
	StockStatus       string
	Backorders        string
	Categories        []int64
	Brands            []int64
	Images            []image
	Attributes        []prodAttr
	Defaults          []varAttr
	VarAttrs          []varAttr
	Variations        []int64
	Grouped           []int64
	ExternalURL       string
	ButtonText        string
	Weight            string
	Featured          bool
	TotalSales        int
	NextVarIndex      int // variable: index for the next added variation
}

func (it *item) clone() *item {
	c := *it
	c.Categories = append([]int64(nil), it.Categories...)
	c.Brands = append([]int64(nil), it.Brands...)
	c.Images = append([]image(nil), it.Images...)
	c.Attributes = make([]prodAttr, len(it.Attributes))
	for i, a := range it.Attributes {
		a.Options = append([]string(nil), a.Options...)
		c.Attributes[i] = a
	}
	c.Defaults = append([]varAttr(nil), it.Defaults...)
	c.VarAttrs = append([]varAttr(nil), it.VarAttrs...)
	c.Variations = append([]int64(nil), it.Variations...)
	c.Grouped = append([]int64(nil), it.Grouped...)
	if it.SaleCents != nil {
		v := *it.SaleCents
		c.SaleCents = &v
	}
	if it.StockQty != nil {
		v := *it.StockQty
		c.StockQty = &v
	}
	return &c
}

// layout is the generated id space.
type layout struct {
	seed     int64
	products int64 // ids 1..products
	every    int64 // 0: no variable products
	per      int64 // variations per variable product
	maxGen   int64 // last generated id
}

func newLayout(seed int64, products, every, per int) layout {
	l := layout{seed: seed, products: int64(products), every: int64(every), per: int64(per)}
	if l.every < 0 {
		l.every = 0
	}
	if l.per < 0 {
		l.per = 0
	}
	l.maxGen = l.products
	if l.every > 0 {
		l.maxGen += (l.products / l.every) * l.per
	}
	return l
}

func (l layout) h(id int64, salt uint64) uint64 {
	return mix(uint64(l.seed)*0x9e3779b97f4a7c15 ^ mix(uint64(id)^salt<<48))
}

// genProductType is the type of generated product id (1..products).
func (l layout) genProductType(id int64) string {
	switch {
	case id%97 == 0:
		return TypeGrouped
	case id%89 == 0:
		return TypeExternal
	case l.every > 0 && id%l.every == 0:
		return TypeVariable
	}
	return TypeSimple
}

// genVariation reports the parent and index of generated variation id.
func (l layout) genVariation(id int64) (parent int64, index int, ok bool) {
	if id <= l.products || id > l.maxGen || l.per == 0 || l.every == 0 {
		return 0, 0, false
	}
	k := (id-l.products-1)/l.per + 1
	parent = k * l.every
	if parent > l.products || l.genProductType(parent) != TypeVariable {
		return 0, 0, false
	}
	return parent, int((id - l.products - 1) % l.per), true
}

func (l layout) genVariationIDs(parent int64) []int64 {
	if l.every == 0 || l.genProductType(parent) != TypeVariable {
		return nil
	}
	k := parent / l.every
	ids := make([]int64, 0, l.per)
	for j := int64(1); j <= l.per; j++ {
		ids = append(ids, l.products+(k-1)*l.per+j)
	}
	return ids
}

// genExists reports whether id is a generated product or variation.
func (l layout) genExists(id int64) bool {
	if id >= 1 && id <= l.products {
		return true
	}
	_, _, ok := l.genVariation(id)
	return ok
}

func (l layout) genCreated(id int64) time.Time {
	return genEpoch.Add(time.Duration(id) * 97 * time.Second)
}

func (l layout) genModified(id int64) time.Time {
	h := l.h(id, 1)
	return l.genCreated(id).Add(time.Duration(h%(90*24*3600)) * time.Second)
}

func (l layout) tmpl(id int64) *productTemplate {
	return &templates[l.h(id, 2)%uint64(len(templates))]
}

func (l layout) genName(id int64) string {
	if p, idx, ok := l.genVariation(id); ok {
		return l.genName(p) + " - " + strings.Join(optionValues(l.variationAttrs(p, idx)), ", ")
	}
	t := l.tmpl(id)
	name := fmt.Sprintf(t.name, t.params[l.h(id, 3)%uint64(len(t.params))])
	switch l.genProductType(id) {
	case TypeGrouped:
		name = "Voordeelpakket " + strings.ToLower(name[:1]) + name[1:]
	case TypeVariable:
		name = strings.TrimSpace(fmt.Sprintf(t.name, ""))
	}
	return name
}

func optionValues(v []varAttr) []string {
	out := make([]string, len(v))
	for i, a := range v {
		out[i] = a.Option
	}
	return out
}

func roundPrice(c int64, h uint64) int64 {
	switch h % 4 {
	case 0:
		return c/100*100 + 95
	case 1:
		return c/100*100 + 49
	case 2:
		return c / 100 * 100
	}
	return c
}

func (l layout) genPrice(id int64, t *productTemplate) int64 {
	span := t.maxCents - t.minCents
	c := t.minCents
	if span > 0 {
		c += int64(l.h(id, 4) % uint64(span))
	}
	c = roundPrice(c, l.h(id, 5))
	if c < t.minCents {
		c = t.minCents
	}
	if c > t.maxCents {
		c = t.maxCents
	}
	return c
}

// variableAttrs are the attributes of generated variable product p:
// global (variation), local (variation).
func (l layout) variableAttrs(p int64) (g *globalAttr, gOpts []string, local string, lOpts []string) {
	t := l.tmpl(p)
	g = globalAttrByID(t.global)
	n := int(l.per)
	if n < 1 {
		n = 1
	}
	ng := len(g.Terms)
	if ng > 2 {
		ng = 2 + int(l.h(p, 6)%uint64(len(g.Terms)-1))
	}
	if ng > n {
		ng = n
	}
	start := int(l.h(p, 7) % uint64(len(g.Terms)))
	for i := 0; i < ng; i++ {
		gOpts = append(gOpts, g.Terms[(start+i)%len(g.Terms)].Name)
	}
	nl := (n + ng - 1) / ng
	for i := 0; i < nl; i++ {
		lOpts = append(lOpts, localOption(t, i))
	}
	return g, gOpts, t.local, lOpts
}

func localOption(t *productTemplate, i int) string {
	if i < len(t.localOpts) {
		return t.localOpts[i]
	}
	return fmt.Sprintf("Variant %d", i+1)
}

func (l layout) variationAttrs(p int64, idx int) []varAttr {
	g, gOpts, local, lOpts := l.variableAttrs(p)
	ng := len(gOpts)
	li := idx / ng
	lopt := ""
	if li < len(lOpts) {
		lopt = lOpts[li]
	} else {
		lopt = localOption(l.tmpl(p), li)
	}
	return []varAttr{{g.ID, g.Name, gOpts[idx%ng]}, {0, local, lopt}}
}

func (l layout) genImages(id int64, n int, slug string, created time.Time) []image {
	imgs := make([]image, n)
	for k := 0; k < n; k++ {
		imgs[k] = image{
			ID:      10_000_000 + id*4 + int64(k),
			Created: created.Add(-time.Duration(n-k) * time.Second),
			File:    fmt.Sprintf("%s/%s-%d.png", created.Format("2006/01"), slug, k+1),
		}
	}
	return imgs
}

// gen computes generated item id; ok is false for ids outside the catalogue.
func (l layout) gen(id int64) (*item, bool) {
	if p, idx, ok := l.genVariation(id); ok {
		return l.genVar(id, p, idx), true
	}
	if id < 1 || id > l.products {
		return nil, false
	}
	t := l.tmpl(id)
	typ := l.genProductType(id)
	it := &item{
		ID:          id,
		Type:        typ,
		Name:        l.genName(id),
		Status:      "publish",
		Created:     l.genCreated(id),
		Modified:    l.genModified(id),
		Description: "<p>" + t.desc + "</p>\n",
		Short:       "<p>" + t.desc + "</p>\n",
		StockStatus: "instock",
		Backorders:  "no",
		Featured:    l.h(id, 8)%11 == 0,
		TotalSales:  int(l.h(id, 9) % 250),
		Weight:      fmt.Sprintf("%.2f", float64(l.h(id, 10)%500+10)/100),
	}
	it.Slug = slugify(it.Name) + fmt.Sprintf("-%d", id)
	if l.h(id, 11)%23 != 0 {
		it.SKU = fmt.Sprintf("%s-%05d", t.prefix, id)
	}
	it.Categories = []int64{t.category}
	if c := categoryByID(categories, t.category); c != nil && c.Parent != 0 && l.h(id, 12)%2 == 0 {
		it.Categories = append(it.Categories, c.Parent)
	}
	it.Brands = []int64{t.brands[l.h(id, 13)%uint64(len(t.brands))]}
	it.Images = l.genImages(id, 1+int(l.h(id, 14)%3), it.Slug, it.Created)
	switch typ {
	case TypeVariable:
		g, gOpts, local, lOpts := l.variableAttrs(id)
		it.Attributes = []prodAttr{
			{g.ID, g.Name, true, true, gOpts},
			{0, local, true, true, lOpts},
		}
		it.Variations = l.genVariationIDs(id)
		it.NextVarIndex = int(l.per)
		if len(it.Variations) > 0 {
			it.Defaults = l.variationAttrs(id, 0)
			for i := range it.Defaults {
				if it.Defaults[i].ID != 0 {
					it.Defaults[i].Option = slugify(it.Defaults[i].Option)
				}
			}
		}
		it.Weight = ""
	case TypeGrouped:
		for _, c := range []int64{id - 1, id - 2, id - 3} {
			if c >= 1 && l.genProductType(c) == TypeSimple {
				it.Grouped = append(it.Grouped, c)
			}
		}
	default:
		it.RegularCents = l.genPrice(id, t)
		it.HasRegular = true
		l.genSale(it, id)
		if typ == TypeExternal {
			it.ExternalURL = fmt.Sprintf("https://www.energiepartner.example/product/%s", it.Slug)
			it.ButtonText = "Bekijk bij partner"
		} else {
			l.genStock(it, id)
		}
		if l.h(id, 15)%3 == 0 {
			g := globalAttrByID(1)
			it.Attributes = []prodAttr{{g.ID, g.Name, true, false, []string{g.Terms[l.h(id, 16)%uint64(len(g.Terms))].Name}}}
		}
	}
	return it, true
}

func (l layout) genSale(it *item, id int64) {
	switch l.h(id, 17) % 8 {
	case 0: // on sale without a period
		s := roundPrice(it.RegularCents*8/10, l.h(id, 18))
		if s >= it.RegularCents || s <= 0 {
			s = it.RegularCents * 8 / 10
		}
		if s > 0 && s < it.RegularCents {
			it.SaleCents = &s
		}
	case 1: // on sale for a period that runs until 2030
		s := it.RegularCents * 3 / 4
		if s > 0 {
			it.SaleCents = &s
			from := time.Date(2024, 11, 25, 0, 0, 0, 0, amsterdam)
			to := time.Date(2030, 12, 31, 23, 59, 59, 0, amsterdam)
			it.SaleFrom, it.SaleTo = &from, &to
		}
	case 2: // sale scheduled in the far future: not on sale now
		if l.h(id, 19)%2 == 0 {
			s := it.RegularCents * 9 / 10
			if s > 0 {
				it.SaleCents = &s
				from := time.Date(2031, 1, 1, 0, 0, 0, 0, amsterdam)
				to := time.Date(2031, 1, 31, 23, 59, 59, 0, amsterdam)
				it.SaleFrom, it.SaleTo = &from, &to
			}
		}
	}
}

func (l layout) genStock(it *item, id int64) {
	h := l.h(id, 20)
	switch {
	case h%3 == 0:
		it.ManageStock = true
		q := int64(l.h(id, 21) % 121)
		if q < 4 {
			q = 0
		}
		it.StockQty = &q
		if q == 0 {
			it.StockStatus = "outofstock"
			if l.h(id, 22)%2 == 0 {
				it.Backorders = "notify"
				it.StockStatus = "onbackorder"
			}
		}
	case h%17 == 1:
		it.StockStatus = "outofstock"
	case h%19 == 2:
		it.StockStatus = "onbackorder"
	}
}

func (l layout) genVar(id, parent int64, idx int) *item {
	t := l.tmpl(parent)
	it := &item{
		ID:          id,
		ParentID:    parent,
		Type:        TypeVariation,
		Name:        l.genName(id),
		Status:      "publish",
		Created:     l.genCreated(id),
		Modified:    l.genModified(id),
		StockStatus: "instock",
		Backorders:  "no",
		VarAttrs:    l.variationAttrs(parent, idx),
	}
	it.Slug = slugify(it.Name) + fmt.Sprintf("-%d", id)
	if l.h(parent, 11)%23 != 0 {
		it.SKU = fmt.Sprintf("%s-%05d-%d", t.prefix, parent, idx+1)
	}
	base := l.genPrice(parent, t)
	step := base / 10 / 100 * 100
	if step < 50 {
		step = 50
	}
	it.RegularCents = base + int64(idx)*step
	it.HasRegular = true
	l.genSale(it, id)
	l.genStock(it, id)
	it.Images = l.genImages(id, 1, it.Slug, it.Created)
	it.Weight = fmt.Sprintf("%.2f", float64(l.h(id, 10)%500+10)/100)
	return it
}

func slugify(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
			dash = false
		case r == '²':
			b.WriteRune('2')
			dash = false
		case r == '°':
		default:
			if !dash && b.Len() > 0 {
				b.WriteByte('-')
				dash = true
			}
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}
