package connections

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/wujw/ohis/internal/admission"
	"github.com/wujw/ohis/internal/connector"
	"github.com/wujw/ohis/internal/supplier"
)

// Input is the connection form as typed.
type Input struct {
	Environment string
	Platform    string
	ShopURL     string
	Key         string
	Secret      string
}

// The platforms OHIS names. woocommerce and custom (a supplier's own API in
// the WooCommerce structure) are implemented; the others follow in later
// issues and are listed as coming soon.
const (
	PlatformWooCommerce = "woocommerce"
	PlatformCustom      = "custom"
)

// PlatformOption is a platform as the connection form offers it.
type PlatformOption struct {
	Value string
	Label string
	// Soon: listed, but not yet connectable ("binnenkort").
	Soon bool
}

// platformOrder is the order of the form; labels come from admission.
var platformOrder = []admission.Platform{admission.WooCommerce, admission.CustomAPI, admission.Shopify, admission.Magento,
	admission.Lightspeed, admission.EasyPOS}

// PlatformOptions lists the platforms for the form: the implemented ones
// first, the others marked as coming soon.
func (s *Service) PlatformOptions() []PlatformOption {
	var out []PlatformOption
	for _, p := range platformOrder {
		_, ok := s.platforms[string(p)]
		out = append(out, PlatformOption{Value: string(p), Label: p.Label(), Soon: !ok})
	}
	return out
}

// PlatformLabel is the Dutch name of a stored platform.
func PlatformLabel(p string) string {
	if p == PlatformCustom {
		return "Eigen API"
	}
	return admission.Platform(p).Label()
}

// EnvironmentLabel is the Dutch name of an environment.
func EnvironmentLabel(env string) string { return admission.Environment(env).Label() }

// The form's field names, as FieldErrors uses them.
const (
	FieldEnvironment = "environment"
	FieldPlatform    = "platform"
	FieldShopURL     = "shop_url"
	FieldKey         = "consumer_key"
	FieldSecret      = "consumer_secret"
)

// Messages of rules that are not about one field's format.
const (
	msgProductionBeforeAdmission = "Een productiekoppeling kunt u pas toevoegen als u na een geslaagde integratietest bent toegelaten tot productie. " +
		"Koppel uw webshop tot die tijd in de test- of acceptatieomgeving."
	msgExcluded  = "Uw deelname aan het inwisselplatform is beëindigd; u kunt geen webshopkoppelingen meer toevoegen of wijzigen."
	msgNoNewKeys = "Vul een nieuwe consumer key of een nieuw consumer secret in; wat u leeg laat, blijft zoals het is."
)

func msgDuplicateEnvironment(env string) string {
	return "U heeft al een koppeling voor de omgeving " + EnvironmentLabel(env) +
		". Per omgeving is er één koppeling: wijzig de bestaande, of verwijder die eerst."
}

// checkEnvironment validates the chosen environment.
func checkEnvironment(env string) string {
	switch {
	case env == "":
		return "Kies de omgeving waarvoor u deze webshop koppelt."
	case !admission.Environment(env).Valid():
		return "Kies test, acceptatie of productie als omgeving."
	}
	return ""
}

// checkPlatform validates the chosen platform against the implemented ones.
func (s *Service) checkPlatform(p string) string {
	if p == "" {
		return "Kies het platform van uw webshop."
	}
	if _, ok := s.platforms[p]; ok {
		return ""
	}
	switch admission.Platform(p) {
	case admission.Shopify, admission.Magento, admission.Lightspeed, admission.EasyPOS:
		return "De koppeling met " + admission.Platform(p).Label() + " komt binnenkort beschikbaar. " +
			"Kies tot die tijd WooCommerce, of bied een eigen API in de WooCommerce-structuur aan."
	}
	return "Kies een platform uit de lijst."
}

// normalizeShopURL checks the shop address. For WooCommerce it is the
// shop's own address (a pasted REST address is cut back to it); for the
// custom route the base address of the supplier's API.
func (s *Service) normalizeShopURL(platform, raw string) (string, string) {
	rules := supplier.URLRules{What: "het adres van uw webshop", Example: "https://www.uwwinkel.nl",
		AllowPrivate: s.cfg.Sync.AllowPrivateShops}
	if platform == PlatformCustom {
		rules.What, rules.Example = "het basisadres van uw API", "https://api.uwwinkel.nl/wp-json/wc/v3"
	}
	u, msg := supplier.NormalizeURL(raw, rules)
	if msg != "" || platform != PlatformWooCommerce {
		return u, msg
	}
	for _, suffix := range []string{"/wp-json/wc/v3", "/wp-json"} {
		if strings.HasSuffix(strings.ToLower(u), suffix) {
			return u[:len(u)-len(suffix)], ""
		}
	}
	return u, ""
}

// wooKeyPart describes one of WooCommerce's two credentials.
type wooKeyPart struct {
	prefix, other   string // "ck_" and "cs_" or the other way round
	name, otherName string
}

var (
	wooKey    = wooKeyPart{prefix: "ck_", other: "cs_", name: "de consumer key", otherName: "het consumer secret"}
	wooSecret = wooKeyPart{prefix: "cs_", other: "ck_", name: "het consumer secret", otherName: "de consumer key"}
)

// checkWooCredential says exactly what is wrong with a WooCommerce key or
// secret: "ck_"/"cs_" followed by 40 hexadecimal characters.
func checkWooCredential(v string, part wooKeyPart) string {
	where := " U vindt de sleutels in WordPress onder WooCommerce › Instellingen › Geavanceerd › REST API."
	switch {
	case v == "":
		return "Vul " + part.name + " in." + where
	case strings.ContainsFunc(v, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }):
		return capitalise(part.name) + " bevat spaties of andere onzichtbare tekens; kopieer hem opnieuw uit WooCommerce."
	case strings.HasPrefix(v, part.other):
		return "U heeft " + part.otherName + " (begint met " + part.other + ") ingevuld bij " + part.name +
			". Wissel de twee om."
	case !strings.HasPrefix(v, part.prefix):
		return capitalise(part.name) + " begint met " + part.prefix + "; controleer of u de juiste sleutel heeft gekopieerd." + where
	}
	rest := v[len(part.prefix):]
	if n := utf8.RuneCountInString(rest); n != 40 {
		return capitalise(part.name) + " bestaat uit " + part.prefix + " en 40 tekens; u heeft er " + strconv.Itoa(n) +
			" na " + part.prefix + " ingevuld. Kopieer hem opnieuw, in zijn geheel."
	}
	for _, r := range rest {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'f') {
			return capitalise(part.name) + " bevat na " + part.prefix + " alleen cijfers en de letters a tot en met f, maar er staat “" +
				string(r) + "” in. Kopieer hem opnieuw uit WooCommerce."
		}
	}
	return ""
}

// checkCustomCredential accepts any key or secret of the supplier's own
// API up to 200 characters without spaces.
func checkCustomCredential(v, name string) string {
	switch {
	case v == "":
		return "Vul " + name + " van uw API in."
	case utf8.RuneCountInString(v) > 200:
		return capitalise(name) + " mag hoogstens 200 tekens lang zijn."
	case strings.ContainsFunc(v, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }):
		return capitalise(name) + " bevat spaties of andere onzichtbare tekens; kopieer hem opnieuw."
	}
	return ""
}

// checkCredentials validates key and secret for the platform; a blank one
// is checked only when required.
func checkCredentials(platform string, cred connector.Credentials, required bool, errs FieldErrors) {
	check := func(field, v string, woo wooKeyPart, name string) {
		if v == "" && !required {
			return
		}
		msg := ""
		if platform == PlatformWooCommerce {
			msg = checkWooCredential(v, woo)
		} else {
			msg = checkCustomCredential(v, name)
		}
		if msg != "" {
			errs[field] = msg
		}
	}
	check(FieldKey, cred.Key, wooKey, "de consumer key")
	check(FieldSecret, cred.Secret, wooSecret, "het consumer secret")
}

// checkInput validates the whole form and returns the normalised address
// and the credentials; platform and environment rules that need the
// database are checked by Create.
func (s *Service) checkInput(in Input) (string, connector.Credentials, FieldErrors) {
	errs := FieldErrors{}
	if msg := checkEnvironment(in.Environment); msg != "" {
		errs[FieldEnvironment] = msg
	}
	platformMsg := s.checkPlatform(in.Platform)
	if platformMsg != "" {
		errs[FieldPlatform] = platformMsg
	}
	baseURL, msg := s.normalizeShopURL(in.Platform, in.ShopURL)
	if msg != "" {
		errs[FieldShopURL] = msg
	}
	cred := connector.Credentials{Key: strings.TrimSpace(in.Key), Secret: strings.TrimSpace(in.Secret)}
	if platformMsg == "" {
		checkCredentials(in.Platform, cred, true, errs)
	}
	return baseURL, cred, errs
}

func capitalise(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}
