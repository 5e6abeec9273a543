package catalogseed

// The seed's vocabulary: the platform's category tree, and per kind of
// energy-saving product the supplier category it sits in, the platform
// category it maps onto, its brands, how its names are built, its price
// range and the attribute its variants differ in.

// platformNode is a platform category the seed makes sure exists.
type platformNode struct {
	slug, name, parent string // parent "" for a root
}

// platformTree is the energy-saving themes of SPEC/issue 5, roots first.
var platformTree = []platformNode{
	{"isolatie", "Isolatie", ""},
	{"verlichting", "Verlichting", ""},
	{"verwarming", "Verwarming", ""},
	{"water", "Water", ""},
	{"ventilatie", "Ventilatie", ""},
	{"slimme-thermostaten-en-meters", "Slimme thermostaten en meters", ""},
	{"zonne-energie", "Zonne-energie", ""},
	{"tochtwering", "Tochtwering", "isolatie"},
	{"raamisolatie", "Raamisolatie en -folie", "isolatie"},
	{"vloer-en-dakisolatie", "Vloer- en dakisolatie", "isolatie"},
	{"ledlampen", "Ledlampen", "verlichting"},
	{"buitenverlichting", "Buitenverlichting", "verlichting"},
	{"radiatorfolie-en-ventilatoren", "Radiatorfolie en -ventilatoren", "verwarming"},
	{"warmtepompen", "Warmtepompen", "verwarming"},
	{"douchekoppen", "Douchekoppen", "water"},
	{"perlators-en-kranen", "Perlators en kranen", "water"},
	{"zonnepanelen", "Zonnepanelen", "zonne-energie"},
	{"omvormers-en-accessoires", "Omvormers en accessoires", "zonne-energie"},
}

// kind is one kind of product.
type kind struct {
	key      string // stable, used in SKUs and category ids
	category string // the supplier's category name
	platform string // platform category slug it maps onto
	brands   []string
	// name parts: the noun, then one value of each spec list.
	noun  string
	specs [][]string
	// price range in cents (incl. VAT)
	min, max int64
	// what variants differ in
	attr    string
	options []string
	// features for the description
	features []string
}

var kinds = []kind{
	{key: "led", category: "Ledlampen", platform: "ledlampen", brands: []string{"Philips", "Osram", "Calex", "Ledvance", "Noxion"},
		noun: "Ledlamp", specs: [][]string{{"E27", "E14", "GU10", "GU5.3"}, {"2,5 W", "4,9 W", "5,9 W", "7 W", "8,5 W", "11 W"}, {"warmwit", "extra warmwit", "neutraalwit"}, {"", "dimbaar"}},
		min: 299, max: 1999, attr: "Lichtkleur", options: []string{"2200 K", "2700 K", "3000 K", "4000 K"},
		features: []string{"Tot 85% zuiniger dan een gloeilamp", "Levensduur van 15.000 branduren", "Direct volledig licht", "Energielabel A of B"}},
	{key: "buiten", category: "Buitenverlichting", platform: "buitenverlichting", brands: []string{"Philips", "Calex", "Ranex", "Steinel"},
		noun: "Buitenlamp", specs: [][]string{{"Oslo", "Bergen", "Malmö", "Turku"}, {"met bewegingssensor", "met schemerschakelaar", "op zonne-energie"}},
		min: 1995, max: 8995, attr: "Kleur", options: []string{"antraciet", "zwart", "wit", "roestvrij staal"},
		features: []string{"Schakelt alleen in wanneer het nodig is", "Geschikt voor buiten (IP44)", "Inclusief ledlamp"}},
	{key: "tocht", category: "Tochtwering", platform: "tochtwering", brands: []string{"Tesa", "Stormguard", "Q-Link", "Deltafix"},
		noun: "Tochtstrip", specs: [][]string{{"rubber", "schuim", "borstel", "silicone"}, {"P-profiel", "E-profiel", "D-profiel"}, {"wit", "bruin", "zwart"}},
		min: 295, max: 1995, attr: "Lengte", options: []string{"3 m", "6 m", "10 m", "25 m"},
		features: []string{"Zelfklevend, eenvoudig aan te brengen", "Houdt tocht en geluid buiten", "Geschikt voor naden van 2 tot 5 mm"}},
	{key: "tochtrol", category: "Tochtwering", platform: "tochtwering", brands: []string{"Stormguard", "Q-Link", "Deltafix"},
		noun: "Tochtrol", specs: [][]string{{"80 cm", "90 cm", "100 cm"}, {"grijs", "antraciet", "beige"}},
		min: 995, max: 2995, attr: "Kleur", options: []string{"grijs", "antraciet", "beige", "blauw"},
		features: []string{"Houdt tocht onder de deur tegen", "Wasbare hoes", "Op maat te knippen"}},
	{key: "radfolie", category: "Radiatorfolie", platform: "radiatorfolie-en-ventilatoren", brands: []string{"Eurom", "Radson", "Q-Link", "Isover"},
		noun: "Radiatorfolie", specs: [][]string{{"2,5 m²", "5 m²", "10 m²"}, {"met ophangstrips", "zelfklevend", "reflecterend"}},
		min: 495, max: 2495, attr: "Rollengte", options: []string{"5 m", "10 m", "15 m"},
		features: []string{"Reflecteert de warmte terug de kamer in", "Bespaart tot 5% op stookkosten", "Eenvoudig op maat te knippen"}},
	{key: "radvent", category: "Radiatorventilatoren", platform: "radiatorfolie-en-ventilatoren", brands: []string{"Eurom", "SpeedComfort", "Radiator Booster"},
		noun: "Radiatorventilator", specs: [][]string{{"Duo", "Trio", "Quattro"}, {"met thermostaat", "met app", "stil"}},
		min: 2995, max: 8995, attr: "Uitvoering", options: []string{"2 ventilatoren", "3 ventilatoren", "4 ventilatoren"},
		features: []string{"Verspreidt de warmte sneller", "Lager stookpunt mogelijk", "Zeer stil: minder dan 20 dB"}},
	{key: "raamfolie", category: "Raamisolatie", platform: "raamisolatie", brands: []string{"Tesa", "3M", "Stormguard"},
		noun: "Isolerende raamfolie", specs: [][]string{{"150 x 170 cm", "170 x 200 cm", "200 x 300 cm"}, {"transparant", "met dubbelzijdige tape"}},
		min: 995, max: 3995, attr: "Afmeting", options: []string{"1 raam", "3 ramen", "5 ramen"},
		features: []string{"Vormt een isolerende luchtlaag", "Na montage vrijwel onzichtbaar", "Vermindert condens op het raam"}},
	{key: "isoplaat", category: "Isolatiemateriaal", platform: "vloer-en-dakisolatie", brands: []string{"Isover", "Rockwool", "Knauf", "Kingspan"},
		noun: "Isolatieplaat", specs: [][]string{{"glaswol", "steenwol", "PIR", "EPS"}, {"40 mm", "60 mm", "80 mm", "100 mm", "120 mm"}, {"(2,4 m²)", "(3,6 m²)", "(5,4 m²)"}},
		min: 1495, max: 8995, attr: "Dikte", options: []string{"60 mm", "80 mm", "100 mm", "120 mm"},
		features: []string{"Hoge isolatiewaarde (Rd-waarde tot 3,5)", "Dampopen en brandveilig", "Geschikt voor vloer, dak en spouw"}},
	{key: "douche", category: "Douchekoppen", platform: "douchekoppen", brands: []string{"Hansgrohe", "Grohe", "Ecoshower", "Tiger"},
		noun: "Waterbesparende douchekop", specs: [][]string{{"6 l/min", "7 l/min", "8 l/min"}, {"Eco", "Rain", "Select", "Comfort"}},
		min: 1495, max: 6995, attr: "Afwerking", options: []string{"chroom", "mat zwart", "wit", "geborsteld RVS"},
		features: []string{"Tot 40% minder warm water", "Zelfde douchecomfort", "Past op elke standaard doucheslang"}},
	{key: "perlator", category: "Kranen en perlators", platform: "perlators-en-kranen", brands: []string{"Neoperl", "Grohe", "Hansgrohe"},
		noun: "Perlator", specs: [][]string{{"M22", "M24", "M28"}, {"4 l/min", "5 l/min", "6 l/min"}},
		min: 295, max: 1495, attr: "Verpakking", options: []string{"1 stuk", "2 stuks", "4 stuks"},
		features: []string{"Mengt lucht bij het water", "Halveert het waterverbruik van de kraan", "Zonder gereedschap te plaatsen"}},
	{key: "wtw", category: "Ventilatie", platform: "ventilatie", brands: []string{"Itho Daalderop", "Zehnder", "Brink", "Orcon"},
		noun: "Wtw-unit", specs: [][]string{{"Comfo", "Flair", "HRU", "Renovent"}, {"150 m³/h", "225 m³/h", "325 m³/h", "400 m³/h"}},
		min: 49900, max: 249900, attr: "Aansluiting", options: []string{"links", "rechts"},
		features: []string{"Wint tot 95% van de warmte terug", "Gezonde lucht zonder energieverlies", "Stille gelijkstroomventilatoren"}},
	{key: "co2", category: "Ventilatie", platform: "ventilatie", brands: []string{"Itho Daalderop", "Orcon", "Aranet"},
		noun: "CO2-meter", specs: [][]string{{"met display", "met app", "met verkeerslicht"}, {"wit", "zwart"}},
		min: 3995, max: 19995, attr: "Uitvoering", options: []string{"los", "met ventilatiebox-koppeling"},
		features: []string{"Laat zien wanneer u moet ventileren", "NDIR-sensor", "Gaat jaren mee op één set batterijen"}},
	{key: "thermo", category: "Thermostaten", platform: "slimme-thermostaten-en-meters", brands: []string{"Tado", "Netatmo", "Honeywell", "Nest", "Eneco Toon"},
		noun: "Slimme thermostaat", specs: [][]string{{"V3+", "Evohome", "Learning", "Smart"}, {"OpenTherm", "aan/uit", "met zonesturing"}},
		min: 7995, max: 24995, attr: "Kleur", options: []string{"wit", "zwart", "zilver"},
		features: []string{"Verwarmt alleen als u thuis bent", "Bedienbaar met een app", "Inzicht in uw gasverbruik"}},
	{key: "meter", category: "Energiemeters", platform: "slimme-thermostaten-en-meters", brands: []string{"HomeWizard", "Youless", "Shelly"},
		noun: "Energiemeter", specs: [][]string{{"P1", "kWh", "3-fase"}, {"met wifi", "met app"}},
		min: 2995, max: 12995, attr: "Uitvoering", options: []string{"1-fase", "3-fase"},
		features: []string{"Realtime inzicht in uw stroomverbruik", "Sluit aan op de slimme meter", "Koppelt met thuisbatterij en zonnepanelen"}},
	{key: "wp", category: "Warmtepompen", platform: "warmtepompen", brands: []string{"Daikin", "Vaillant", "Itho Daalderop", "Remeha", "Atag"},
		noun: "Hybride warmtepomp", specs: [][]string{{"3,5 kW", "4 kW", "5 kW", "6 kW"}, {"monoblock", "split"}},
		min: 249900, max: 599900, attr: "Vermogen", options: []string{"3,5 kW", "5 kW", "7 kW"},
		features: []string{"Bespaart tot 60% op gas", "Werkt samen met uw cv-ketel", "Stille buitenunit"}},
	{key: "zp", category: "Zonnepanelen", platform: "zonnepanelen", brands: []string{"JA Solar", "Trina", "Jinko", "LONGi", "Meyer Burger"},
		noun: "Zonnepaneel", specs: [][]string{{"400 Wp", "410 Wp", "425 Wp", "435 Wp", "450 Wp"}, {"full black", "zwart frame", "bifaciaal"}},
		min: 12900, max: 29900, attr: "Aantal", options: []string{"1 paneel", "6 panelen", "10 panelen"},
		features: []string{"Hoog rendement tot 22,5%", "25 jaar productgarantie", "Geschikt voor schuine en platte daken"}},
	{key: "omv", category: "Omvormers", platform: "omvormers-en-accessoires", brands: []string{"SolarEdge", "Enphase", "Growatt", "SMA", "GoodWe"},
		noun: "Omvormer", specs: [][]string{{"2,5 kW", "3,6 kW", "5 kW", "6 kW", "8 kW"}, {"1-fase", "3-fase"}},
		min: 49900, max: 189900, attr: "Monitoring", options: []string{"wifi", "wifi en ethernet"},
		features: []string{"Zet zonnestroom om voor uw huis", "Monitoring via app", "10 jaar fabrieksgarantie"}},
}

// supplierNames are the seeded suppliers' names; beyond the list a number
// is added.
var supplierNames = []string{
	"Zuinig Thuis", "Energiebespaarwinkel", "Groen Wonen Direct", "Duurzaam Huis & Tuin", "De Tochtstrip Specialist",
	"LedLampenLand", "Warm Wonen", "Isolatiegigant", "Zonnedak Nederland", "Slim Verwarmen", "Waterwijs",
	"Het Energiehuis", "Verduurzamen.nl", "Klimaatklaar", "Bespaarbox", "Woonwarmte", "Frisse Lucht Shop",
	"Stroomwijzer", "De Groene Bouwmarkt", "Comfort & Besparing", "Energieloket Winkel", "Polderpaneel",
	"HollandIsoleert", "Duinwarmte",
}

// cities for applications' addresses and phone numbers.
var contactNames = []string{
	"Sanne de Vries", "Daan Jansen", "Fleur Bakker", "Bram Visser", "Lotte Smit", "Thijs Meijer", "Noor de Boer",
	"Ruben Mulder", "Eva de Groot", "Joost Bos", "Iris Vos", "Koen Peters", "Anouk Hendriks", "Lars van Leeuwen",
}
