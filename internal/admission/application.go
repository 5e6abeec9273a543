package admission

import "time"

// Platform is the webshop software an applicant runs.
type Platform string

// The platforms of the application form; the first five have an automatic
// connector (SPEC §2 rule 2).
const (
	WooCommerce Platform = "woocommerce"
	Shopify     Platform = "shopify"
	Magento     Platform = "magento"
	Lightspeed  Platform = "lightspeed"
	EasyPOS     Platform = "easypos"
	CustomAPI   Platform = "custom"
	Other       Platform = "other"
)

// Platforms lists the choices of the application form in order.
var Platforms = []Platform{WooCommerce, Shopify, Magento, Lightspeed, EasyPOS, CustomAPI, Other}

// Valid reports whether p is a known platform.
func (p Platform) Valid() bool {
	for _, q := range Platforms {
		if p == q {
			return true
		}
	}
	return false
}

// Label is how the platform is named in the portal.
func (p Platform) Label() string {
	switch p {
	case WooCommerce:
		return "WooCommerce"
	case Shopify:
		return "Shopify"
	case Magento:
		return "Magento"
	case Lightspeed:
		return "Lightspeed"
	case EasyPOS:
		return "EasyPOS"
	case CustomAPI:
		return "Eigen API (WooCommerce-structuur)"
	case Other:
		return "Anders"
	}
	return string(p)
}

// Route is how a supplier integrates (SPEC §2 rule 2).
type Route string

// The two integration routes.
const (
	RouteAutomatic Route = "automatic"
	RouteCustom    Route = "custom"
)

// Route is the integration route of the platform: the five supported
// platforms connect automatically; everything else builds its own API.
func (p Platform) Route() Route {
	switch p {
	case WooCommerce, Shopify, Magento, Lightspeed, EasyPOS:
		return RouteAutomatic
	}
	return RouteCustom
}

// Label is the Dutch name of the route.
func (r Route) Label() string {
	if r == RouteAutomatic {
		return "Automatische koppeling"
	}
	return "Eigen API"
}

// Lead times of SPEC §2 rule 4.
const (
	AutomaticLeadTime = 14 * 24 * time.Hour
	CustomLeadTime    = 28 * 24 * time.Hour
)

// Application is one supplier's admission: what it applied with and where
// it stands.
type Application struct {
	ID                int64
	CreatedAt         time.Time
	CompanyName       string
	KvK               string
	VATID             string
	IBAN              string
	ContactName       string
	Email             string
	Phone             string
	Website           string
	Platform          Platform
	State             State
	StateChangedAt    time.Time
	SupplierID        *int64
	AdmittedAt        *time.Time
	APISubmittedAt    *time.Time
	AlternativeReason string
	DecisionReason    string
	Checklist         map[string]bool
}

// Route is the application's integration route.
func (a Application) Route() Route { return a.Platform.Route() }

// Deadline is when the integration must be done: two weeks after admission
// for the automatic route, four weeks after the supplier made its API
// available for the custom route. ok is false while the clock has not
// started, and when an alternative integration was agreed.
func (a Application) Deadline() (deadline time.Time, ok bool) {
	if a.AlternativeReason != "" {
		return time.Time{}, false
	}
	switch {
	case a.Route() == RouteAutomatic && a.AdmittedAt != nil:
		return a.AdmittedAt.Add(AutomaticLeadTime), true
	case a.Route() == RouteCustom && a.APISubmittedAt != nil:
		return a.APISubmittedAt.Add(CustomLeadTime), true
	}
	return time.Time{}, false
}

// Overdue reports whether the deadline has passed while the supplier is
// still working towards production.
func (a Application) Overdue(now time.Time) bool {
	d, ok := a.Deadline()
	if !ok {
		return false
	}
	switch a.State {
	case Admitted, IntegrationReady, TestBooked:
		return now.After(d)
	}
	return false
}

// Transition is one recorded move of the state machine.
type Transition struct {
	From, To   State
	ActorEmail string
	Reason     string
	At         time.Time
}

// Environment is one of the three environments of SPEC §3.
type Environment string

// The environments.
const (
	EnvTest       Environment = "test"
	EnvAcceptance Environment = "acceptance"
	EnvProduction Environment = "production"
)

// Environments lists them in order.
var Environments = []Environment{EnvTest, EnvAcceptance, EnvProduction}

// Label is the Dutch name of the environment.
func (e Environment) Label() string {
	switch e {
	case EnvTest:
		return "Test"
	case EnvAcceptance:
		return "Acceptatie"
	case EnvProduction:
		return "Productie"
	}
	return string(e)
}

// Valid reports whether e is a known environment.
func (e Environment) Valid() bool { return e == EnvTest || e == EnvAcceptance || e == EnvProduction }

// KeyPrefix is the visible start of API keys of the environment, so a key
// pasted in the wrong place is recognisable at a glance.
func (e Environment) KeyPrefix() string {
	switch e {
	case EnvTest:
		return "ohis_test_"
	case EnvAcceptance:
		return "ohis_acc_"
	}
	return "ohis_live_"
}

// Requirement is one item of the review checklist.
type Requirement struct {
	ID     int64
	Label  string
	Active bool
}
